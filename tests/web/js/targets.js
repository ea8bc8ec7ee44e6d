(min) => {
  const shown = (e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
  };
  const inRunningText = (a) => {
    const block = a.parentElement;
    const own = [...block.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    return own || (block.tagName === 'P' && block.textContent.trim().length > a.textContent.trim().length + 2);
  };
  const small = [];
  for (const e of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!shown(e)) continue;
    if (e.tagName === 'A' && inRunningText(e)) continue;
    let target = e;
    if (e.matches('input[type=radio], input[type=checkbox]')) {
      target = e.closest('label') || document.querySelector(`label[for="${e.id}"]`) || e;
    }
    const h = target.getBoundingClientRect().height;
    if (h < min) small.push(`${e.tagName.toLowerCase()} "${(e.textContent || e.name || e.id).trim().slice(0, 30)}" ${h.toFixed(1)}px`);
  }
  return small;
}
