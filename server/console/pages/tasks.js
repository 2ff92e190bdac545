// The task list: the open user tasks of a candidate group, claimed and completed through a form
// built from each task's declared outputs.

import { get, post } from '../api.js';
import { debounce, errorText, h } from '../dom.js';
import { outputFields } from '../form.js';

const USER_KEY = 'orchestrator.user';
let view = null;

export async function enter(main, _arg, query) {
  const { types } = await get('/api/personas/types');
  const group = query.get('group') || '';
  const groups = h('select', { id: 'task-group' },
    h('option', { value: '' }, 'all groups'),
    types.map((t) => h('option', { value: t.id, selected: t.id === group }, t.id)));
  groups.addEventListener('change', () => {
    location.hash = groups.value ? `#/tasks?group=${encodeURIComponent(groups.value)}` : '#/tasks';
  });
  const user = h('input', { id: 'task-user', value: sessionStorage.getItem(USER_KEY) || 'console-user' });
  user.addEventListener('change', () => sessionStorage.setItem(USER_KEY, user.value.trim()));
  const list = h('div', { id: 'task-list' });
  main.append(h('h1', {}, 'Tasks'),
    h('div', { class: 'filters' }, h('label', {}, 'Candidate group', groups), h('label', {}, 'You are', user)),
    list);
  view = { group, user, list, refresh: null };
  view.refresh = debounce(() => load(view), 150);
  await load(view);
}

export function leave() {
  view = null;
}

export function onEvent(event) {
  if (view && event.kind && event.kind.startsWith('element.')) view.refresh();
}

async function load(current) {
  const path = current.group ? `/api/tasks?group=${encodeURIComponent(current.group)}` : '/api/tasks';
  try {
    const { tasks } = await get(path);
    if (view !== current) return;
    current.list.replaceChildren(...(tasks.length ? tasks.map((task) => card(current, task)) : [h('p', { class: 'muted' }, 'No open task.')]));
  } catch (error) {
    current.list.replaceChildren(errorText(error));
  }
}

// Who has the task: a Camunda user task is claimed here; a job-based one (a job of type
// io.camunda.zeebe:userTask) is assigned by its model and only completed.
function holder(task, claim) {
  if (task.kind === 'job') {
    return h('span', { class: 'assignee' }, task.assignee ? `assigned to ${task.assignee} by the model` : 'job-based: complete it');
  }
  return task.assignee ? h('span', { class: 'assignee' }, `claimed by ${task.assignee}`) : claim;
}

function card(current, task) {
  const problem = h('div');
  const fields = outputFields(task.outputs);
  const claim = h('button', { type: 'button', class: 'secondary claim' }, 'Claim');
  claim.addEventListener('click', async () => {
    try {
      await post(`/api/tasks/${task.key}/claim`, { assignee: current.user.value.trim() });
      current.refresh();
    } catch (error) {
      problem.replaceChildren(errorText(error));
    }
  });
  const form = h('form', { class: 'inline task-form', 'data-task': task.key },
    fields.elements,
    h('button', { type: 'submit', class: 'complete' }, 'Complete'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    try {
      await post(`/api/tasks/${task.key}/complete`, { variables: fields.read() });
      current.refresh();
    } catch (error) {
      problem.replaceChildren(errorText(error));
    }
  });
  return h('section', { class: 'card task', 'data-task': task.key },
    h('h2', {}, task.name || task.element_id, ' ',
      h('span', { class: 'muted' }, `· ${task.bpmn_process_id} `, h('a', { href: `#/instance/${task.process_instance_key}` }, `#${task.process_instance_key}`))),
    h('p', { class: 'muted' },
      `Candidates: ${task.candidate_groups.join(', ') || 'anyone'} · `,
      holder(task, claim)),
    form,
    problem);
}
