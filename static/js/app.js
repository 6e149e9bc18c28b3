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

// Task form: show only the field that matches "Who is it for".
const scopeForm = document.querySelector('[data-scope-form]');
if (scopeForm) {
  const showScope = () => {
    const chosen = scopeForm.querySelector('input[name="scope"]:checked');
    scopeForm.querySelectorAll('[data-scope]').forEach((el) => {
      el.hidden = !chosen || el.dataset.scope !== chosen.value;
    });
  };
  scopeForm.addEventListener('change', showScope);
  showScope();
}
