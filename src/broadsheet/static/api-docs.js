// Starts Swagger UI on /api/docs. A file of its own, not an inline script, so the page's
// Content-Security-Policy can allow scripts from our origin only.
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  domNode: root,
  layout: "BaseLayout",
  // A deep link is an anchor inside each operation's button: nested controls a keyboard or a
  // screen reader cannot reach apart.
  deepLinking: false,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});

// Swagger UI gives its request-body editor and its copy buttons no name, and leaves its
// examples, which scroll, out of a keyboard's reach: name and reach them as they are drawn.
new MutationObserver(() => {
  for (const copy of root.querySelectorAll(".copy-to-clipboard > button:not([aria-label])")) {
    copy.setAttribute("aria-label", "Copy to the clipboard");
  }
  for (const editor of root.querySelectorAll("textarea.body-param__text:not([aria-label])")) {
    editor.setAttribute("aria-label", "Request body");
  }
  for (const example of root.querySelectorAll(".microlight:not([tabindex])")) {
    example.setAttribute("tabindex", "0");
  }
}).observe(root, { childList: true, subtree: true });
