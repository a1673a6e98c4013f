// Page behaviour that would otherwise sit in inline scripts or hx-on
// attributes, which the Content Security Policy (script-src 'self') forbids.

// An HTMX form answered 400 carries its own errors: show them in place when
// the form sits inside an element marked data-swap-errors.
document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.target;
  if (event.detail.xhr.status === 400 && target.closest && target.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// <button data-print> prints the page.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target.closest && target.closest("[data-print]")) {
    window.print();
  }
});
