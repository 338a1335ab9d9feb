import { babelOptimizerPlugin } from "@graphql-codegen/client-preset";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// One Vite build for every browser app of the gateway, one HTML entry per app: the
// member portal, the staff console and GraphiQL. The gateway serves the result
// (gateway/api/web_apps.py, gateway/api/graphiql.py): each page's HTML at its own
// route, and everything under dist/assets/ at /assets/ as immutable, hashed files.
export default defineConfig({
  base: "/",
  plugins: [
    // Each `graphql(...)` call of the portal and the console becomes an import of its
    // own document from gql/graphql.ts, so that the bundle holds the documents a page
    // uses, each once, and not gql/gql.ts's map of every document's text.
    react({
      include: /\/(portal|staff|shared)\/[^/]+\.tsx?$/,
      babel: {
        plugins: [[babelOptimizerPlugin, { artifactDirectory: "./gql", gqlTagName: "graphql" }]],
      },
    }),
  ],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    manifest: true,
    // Nothing inlined as a data: URL into scripts: every asset is a file of its own.
    assetsInlineLimit: 0,
    target: "es2022",
    chunkSizeWarningLimit: 4000,
    rollupOptions: {
      input: {
        graphiql: "./graphiql/index.html",
        portal: "./portal/index.html",
        staff: "./staff/index.html",
      },
      onwarn(warning, warn) {
        // "use client" marks React server-component boundaries, meaningless in a
        // client-only bundle: dropping it is right, and warning about it is noise.
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") {
          warn(warning);
        }
      },
      output: {
        // graphql-language-service's modules import each other in a cycle; split across
        // chunks (GraphiQL loads some of them lazily) they could run in the wrong order.
        // Rollup's CommonJS helpers get a chunk of their own: left to fall where they
        // may, they land in that chunk, and the portal would load it for four lines.
        manualChunks(id) {
          if (id.includes("/node_modules/graphql-language-service/")) {
            return "graphql-language-service";
          }
          return id.includes("commonjsHelpers") ? "commonjs-helpers" : undefined;
        },
      },
    },
  },
});
