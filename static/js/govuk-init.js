// Starts every GOV.UK Frontend component on the page (a module file, so the pages need no inline script).
import { initAll } from "../govuk-frontend/govuk-frontend.min.js";

initAll();
