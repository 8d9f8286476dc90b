/** Modal dialogs on `<dialog>`: the browser handles focus, Escape and the backdrop. */
import { h } from './dom';

/** Resolves with what the form's fields hold, or undefined when cancelled. */
export function formDialog(title: string, fields: HTMLElement[], submitLabel = 'Save', check?: () => string | undefined): Promise<boolean> {
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { method: 'dialog' },
    h('h2', {}, title), ...fields, error,
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', value: 'cancel', class: 'secondary' }, 'Cancel'),
      h('button', { type: 'submit', value: 'ok' }, submitLabel)));
  const dialog = h('dialog', { 'aria-label': title }, form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    const close = (ok: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    form.querySelector('button[value=cancel]')!.addEventListener('click', () => close(false));
    dialog.addEventListener('cancel', () => close(false));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const problem = check?.();
      if (problem) {
        error.textContent = problem;
        return;
      }
      close(true);
    });
    dialog.showModal();
  });
}

export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), control, ...(hint ? [h('small', {}, hint)] : []));
}

/** Asks for one line of text; undefined when cancelled. */
export async function askText(title: string, label: string, initial = ''): Promise<string | undefined> {
  const input = h('input', { type: 'text', value: initial, required: true, maxlength: 120, name: 'text' });
  const ok = await formDialog(title, [field(label, input)], 'Save', () => (input.value.trim() ? undefined : `${label} cannot be empty`));
  return ok ? input.value.trim() : undefined;
}

export async function confirmDialog(title: string, text: string, action: string): Promise<boolean> {
  return formDialog(title, [h('p', {}, text)], action);
}
