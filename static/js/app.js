// Small enhancements; every page works without them.
document.addEventListener('submit', (event) => {
  const button = event.submitter;
  const message = button && button.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

document.addEventListener('change', (event) => {
  // Filters apply as soon as a choice is made.
  const select = event.target.closest('form.filters select');
  if (select) select.form.requestSubmit();
});
