// Start the NHS.UK components (error summary focus, header menu, radios, tables…).
import { initAll } from "/static/nhsuk/nhsuk-frontend.min.js";

initAll();
