// A form for a user task's declared outputs: one field per output, by its shape.

import { h } from './dom.js';

/** The form's fields and a `read()` that gives the outputs or throws naming the bad field. */
export function outputFields(outputs) {
  const fields = Object.entries(outputs).map(([name, shape]) => field(name, shape));
  return {
    elements: fields.map((f) => h('label', {}, `${f.name} (${describe(f.shape)})`, f.input)),
    read() {
      const values = {};
      for (const f of fields) values[f.name] = f.read();
      return values;
    },
  };
}

function describe(shape) {
  return Array.isArray(shape) ? 'one of' : shape;
}

function field(name, shape) {
  const id = `output-${name}`;
  if (Array.isArray(shape)) {
    const input = h('select', { name, id }, shape.map((v) => h('option', { value: v }, v)));
    return { name, shape, input, read: () => input.value };
  }
  switch (shape) {
    case 'boolean': {
      const input = h('input', { type: 'checkbox', name, id });
      return { name, shape, input, read: () => input.checked };
    }
    case 'number': {
      const input = h('input', { type: 'number', name, id, step: 'any', required: true });
      return {
        name, shape, input,
        read: () => {
          if (input.value.trim() === '' || Number.isNaN(Number(input.value))) throw new Error(`${name}: give a number`);
          return Number(input.value);
        },
      };
    }
    case 'list':
    case 'object': {
      const input = h('textarea', { name, id, placeholder: shape === 'list' ? '[]' : '{}' });
      return {
        name, shape, input,
        read: () => {
          let value;
          try {
            value = JSON.parse(input.value || (shape === 'list' ? '[]' : '{}'));
          } catch (error) {
            throw new Error(`${name}: not JSON (${error.message})`);
          }
          if (shape === 'list' ? !Array.isArray(value) : (typeof value !== 'object' || value === null || Array.isArray(value))) {
            throw new Error(`${name}: give a JSON ${shape === 'list' ? 'array' : 'object'}`);
          }
          return value;
        },
      };
    }
    default: {
      const input = h('input', { type: 'text', name, id });
      return { name, shape, input, read: () => input.value };
    }
  }
}
