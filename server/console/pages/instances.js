// Instances: start a workflow, and the instance list filtered by workflow, state and work item,
// refreshed by the live events.

import { get, post } from '../api.js';
import { debounce, errorText, h, stateLabel, table, time } from '../dom.js';

const PAGE = 100;
let view = null;

export async function enter(main, _arg, query) {
  const { processes } = await get('/api/deployments');
  const workflows = [...new Set(processes.map((p) => p.bpmn_process_id))].sort();
  const filters = {
    workflow: query.get('workflow') || '',
    state: query.get('state') || '',
    work_item: query.get('work_item') || '',
    offset: Number(query.get('offset') || 0),
  };
  const list = h('div', { id: 'instance-list' });
  view = { filters, list, refresh: debounce(() => load(view), 150) };
  main.append(
    h('h1', {}, 'Instances'),
    startForm(workflows),
    filterForm(workflows, filters),
    list);
  await load(view);
}

export function leave() {
  view = null;
}

export function onEvent(event) {
  if (view && event.process_instance_key) view.refresh();
}

function startForm(workflows) {
  const workflow = h('select', { name: 'workflow', id: 'start-workflow' }, workflows.map((w) => h('option', { value: w }, w)));
  const workItem = h('input', { name: 'work_item', id: 'start-work-item', placeholder: 'WI-42' });
  const variables = h('textarea', { name: 'variables', id: 'start-variables', placeholder: '{"key": "value"}' });
  const problem = h('div');
  const form = h('form', { class: 'inline', id: 'start-form' },
    h('label', {}, 'Workflow', workflow),
    h('label', {}, 'Work item', workItem),
    h('label', {}, 'Variables (JSON)', variables),
    h('button', { type: 'submit', id: 'start' }, 'Start'),
    problem);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.replaceChildren();
    try {
      const body = { workflow: workflow.value, variables: variables.value.trim() ? JSON.parse(variables.value) : {} };
      if (workItem.value.trim()) body.work_item = workItem.value.trim();
      const started = await post('/api/workflows/execute', body);
      location.hash = `#/instance/${started.process_instance_key}`;
    } catch (error) {
      problem.append(errorText(error));
    }
  });
  return h('section', { class: 'card' }, h('h2', {}, 'Start a workflow'), form);
}

function filterForm(workflows, filters) {
  const workflow = h('select', { name: 'workflow', id: 'filter-workflow' },
    h('option', { value: '' }, 'all'),
    workflows.map((w) => h('option', { value: w, selected: w === filters.workflow }, w)));
  const state = h('select', { name: 'state', id: 'filter-state' },
    ['', 'active', 'completed', 'terminated'].map((s) => h('option', { value: s, selected: s === filters.state }, s || 'all')));
  const workItem = h('input', { name: 'work_item', id: 'filter-work-item', value: filters.work_item });
  const form = h('form', { class: 'filters', id: 'filters' },
    h('label', {}, 'Workflow', workflow),
    h('label', {}, 'State', state),
    h('label', {}, 'Work item', workItem),
    h('button', { type: 'submit', class: 'secondary' }, 'Filter'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const [name, input] of [['workflow', workflow], ['state', state], ['work_item', workItem]]) {
      if (input.value) query.set(name, input.value);
    }
    location.hash = `#/instances?${query}`;
  });
  return form;
}

/** Fetches one page and renders it; records how long both took in `window.consoleTimings`. */
async function load(current) {
  if (!current) return;
  const started = performance.now();
  const query = new URLSearchParams({ limit: PAGE, offset: current.filters.offset });
  for (const name of ['workflow', 'state', 'work_item']) {
    if (current.filters[name]) query.set(name, current.filters[name]);
  }
  try {
    const page = await get(`/api/workflows/history?${query}`);
    const rows = page.instances.map((i) => h('tr', { 'data-key': i.key },
      h('td', {}, h('a', { href: `#/instance/${i.key}` }, i.key)),
      h('td', {}, i.bpmn_process_id),
      h('td', {}, i.version),
      h('td', {}, stateLabel(i.status)),
      h('td', {}, time(i.span.started.at_millis)),
      h('td', {}, i.span.ended ? time(i.span.ended.at_millis) : '')));
    const last = Math.min(page.offset + page.limit, page.total);
    const pager = h('p', { class: 'muted', id: 'instance-count' },
      `${page.total ? page.offset + 1 : 0}–${last} of ${page.total} `,
      page.offset > 0 ? h('a', { href: pageLink(current, page.offset - PAGE) }, 'previous') : '',
      ' ',
      last < page.total ? h('a', { href: pageLink(current, page.offset + PAGE) }, 'next') : '');
    current.list.replaceChildren(pager, table(['Key', 'Workflow', 'Version', 'State', 'Started', 'Ended'], rows, { id: 'instances' }));
  } catch (error) {
    current.list.replaceChildren(errorText(error));
  }
  window.consoleTimings = { ...(window.consoleTimings || {}), instances: performance.now() - started };
}

function pageLink(current, offset) {
  const query = new URLSearchParams();
  for (const name of ['workflow', 'state', 'work_item']) if (current.filters[name]) query.set(name, current.filters[name]);
  query.set('offset', Math.max(0, offset));
  return `#/instances?${query}`;
}
