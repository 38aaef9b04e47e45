// No Wrong Door's only script: marks the page as JavaScript-enabled (the NHS design system
// hides or enhances some components then) and starts the nhsuk-frontend components. Pages
// work without it; the Content-Security-Policy allows no inline script, so this lives here.
import { initAll } from './nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()
