/* Starts Swagger UI on /api/v1/docs from a file, so the page needs no inline script under the
   content security policy. The OpenAPI document's address comes from the page (data-openapi). */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.getAttribute("data-openapi"), dom_id: "#swagger-ui", validatorUrl: null });
})();
