/**
 * Follows a download link the gateway signed (a bill's PDF, Green Button data). The
 * route answers with `Content-Disposition: attachment`, so the browser saves the file
 * and the page stays where it is; the link carries its own authority, as the access
 * token is not sent with a navigation.
 */
export function startDownload(url: string): void {
  const link = document.createElement("a");
  link.href = url;
  link.download = "";
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
}
