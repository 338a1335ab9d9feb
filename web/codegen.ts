import { createHash } from "node:crypto";

import type { CodegenConfig } from "@graphql-codegen/cli";
import { addTypenameSelectionDocumentTransform } from "@graphql-codegen/client-preset";

// The portal's and the console's operations live beside their components, written with
// `graphql(...)` from gql/; this types them from the gateway's committed schema. An
// operation that no longer matches the schema fails here, and so fails `npm run build`.
// The build also writes gql/persisted-documents.json ({sha256 hex: document}), which the
// gateway loads as its trusted documents (COOP_TRUSTED_DOCUMENTS_PATH).
const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["shared/**/*.{ts,tsx}", "portal/**/*.{ts,tsx}", "staff/**/*.{ts,tsx}"],
  ignoreNoDocuments: false,
  errorsOnly: true,
  generates: {
    "./gql/": {
      preset: "client",
      presetConfig: {
        fragmentMasking: false,
        // Bare hex, as the gateway's manifest and Apollo's persistedQuery want it (the
        // preset's "sha256" would write "sha256:<hex>").
        persistedDocuments: {
          hashAlgorithm: (document: string) => createHash("sha256").update(document).digest("hex"),
        },
      },
      // urql's document cache needs each object's __typename; adding it here keeps the
      // documents the gateway trusts the same as those the apps send.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        scalars: {
          Date: "string",
          DateTime: "string",
          Money: "string",
        },
      },
    },
  },
};

export default config;
