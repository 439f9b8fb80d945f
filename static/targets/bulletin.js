// The 复制 button beside the drafted bulletin text (and any button with data-copy="<textarea id>").
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copy-status");
  source.focus();
  source.select();
  let copied = false;
  try {
    await navigator.clipboard.writeText(source.value);
    copied = true;
  } catch (error) {
    // Over plain http on an intranet the Clipboard API is refused; the older command still works.
    copied = document.execCommand("copy");
  }
  if (status) status.textContent = copied ? button.dataset.copied : "请按 Ctrl+C 复制已选中的文字";
});
