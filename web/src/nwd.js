// No Wrong Door's only script: marks the page as JavaScript-enabled (the NHS design system
// hides or enhances some components then) and starts the nhsuk-frontend components. Pages
// work without it; the Content-Security-Policy allows no inline script, so this lives here.
import { initAll } from './nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()

// "Exit this page" (public pages): the link works without JavaScript; with it, the page is
// replaced in the history (Back does not return to it) and pressing Shift on its own three
// times within five seconds leaves too.
const exit = document.getElementById('exit-this-page')
if (exit) {
  const leave = () => {
    document.body.hidden = true
    window.location.replace(exit.href)
  }
  exit.addEventListener('click', (event) => {
    event.preventDefault()
    leave()
  })
  // Only Shift on its own counts: any other key (a capital letter typed with Shift) starts
  // the count again.
  let presses = []
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Shift') {
      presses = []
      return
    }
    if (event.repeat) return
    const now = Date.now()
    presses = presses.filter((at) => now - at < 5000).concat(now)
    if (presses.length >= 3) leave()
  })
  const hint = document.getElementById('exit-this-page-hint')
  if (hint) hint.hidden = false
}
