// The persona board: the queue (persona jobs no instance holds yet, by type and project), then
// each persona instance with its load (tasks in flight against capacity), spend (today and this
// month against the limits) and its recent actions from the audit log; refreshed by the live
// events.

import { get } from '../api.js';
import { debounce, errorText, h, table, time } from '../dom.js';

/** How many audit entries the board reads, and how many it shows per instance. */
const AUDIT_READ = 200;
const ACTIONS_SHOWN = 3;

let view = null;

export async function enter(main) {
  const queue = h('section', { class: 'card', id: 'persona-queue' });
  const board = h('div', { class: 'board', id: 'persona-board' });
  main.append(h('h1', {}, 'Personas'), queue, board);
  view = { queue, board, refresh: null };
  view.refresh = debounce(() => load(view), 150);
  await load(view);
}

export function leave() {
  view = null;
}

export function onEvent(event) {
  if (view && event.kind && (event.kind.startsWith('persona.') || event.kind.startsWith('job.'))) view.refresh();
}

async function load(current) {
  try {
    const [{ instances }, { queue }, { entries }] = await Promise.all([
      get('/api/personas/instances'),
      get('/api/personas/queue'),
      get(`/api/audit?limit=${AUDIT_READ}`),
    ]);
    if (view !== current) return;
    current.queue.replaceChildren(h('h2', {}, 'Queue'), queueTable(queue));
    const actions = recentActions(entries);
    current.board.replaceChildren(...(instances.length
      ? instances.map((instance) => card(instance, actions.get(instance.id) || []))
      : [h('p', { class: 'muted' }, 'No persona instance yet: POST /api/personas/instances creates one.')]));
  } catch (error) {
    current.board.replaceChildren(errorText(error));
  }
}

function queueTable(rows) {
  if (!rows.length) return h('p', { class: 'muted' }, 'No persona job waits for an instance.');
  return table(['Persona type', 'Project', 'Waiting', 'Jobs'], rows.map((row) =>
    h('tr', { 'data-queue': `${row.persona_type}|${row.project || ''}` },
      h('td', {}, row.persona_type),
      h('td', {}, row.project || h('span', { class: 'muted' }, 'none set')),
      h('td', { class: 'waiting' }, String(row.jobs.length)),
      h('td', {}, row.jobs.map((job) => h('div', { title: job.reason || job.state },
        h('a', { href: `#/instance/${job.process_instance_key}` }, `${job.bpmn_process_id} ${job.process_instance_key}`),
        ` · ${job.element_id} · ${job.state}`))))));
}

/** The newest audit entries per persona instance id, newest first. */
function recentActions(entries) {
  const byInstance = new Map();
  for (const entry of [...entries].reverse()) {
    if (entry.instance_id == null) continue;
    const list = byInstance.get(entry.instance_id) || [];
    if (list.length < ACTIONS_SHOWN) list.push(entry);
    byInstance.set(entry.instance_id, list);
  }
  return byInstance;
}

function meter(fraction, label) {
  const share = Math.max(0, Math.min(1, fraction));
  const level = share >= 1 ? 'full' : share >= 0.75 ? 'high' : '';
  return h('div', { class: `meter ${level}`, title: label, role: 'meter', 'aria-valuenow': Math.round(share * 100) },
    h('div', { style: `width: ${Math.round(share * 100)}%` }));
}

function spend(label, spent, limit) {
  const text = limit ? `${spent} of ${limit}` : `${spent} (no limit)`;
  return [h('div', {}, `${label}: `, h('span', { class: 'spend' }, text)), limit ? meter(Number(spent) / Number(limit), text) : ''];
}

function action(entry) {
  const what = [entry.kind, entry.element_id, entry.job_key ? `job ${entry.job_key}` : null].filter(Boolean).join(' · ');
  return h('li', { 'data-kind': entry.kind, title: JSON.stringify(entry.details) },
    h('span', { class: 'muted' }, time(entry.at_millis)), ' ', what,
    entry.workflow_instance ? [' in ', h('a', { href: `#/instance/${entry.workflow_instance}` }, String(entry.workflow_instance))] : '');
}

function card(instance, actions) {
  const load = `${instance.open_tasks} / ${instance.max_concurrent_tasks}`;
  return h('section', { class: 'card persona', 'data-persona': instance.name },
    h('h3', {}, instance.name),
    h('p', { class: 'muted' }, `${instance.persona_type} · ${instance.status}`, instance.project ? ` · ${projectText(instance.project)}` : ''),
    h('div', {}, 'Load: ', h('span', { class: 'load' }, load)),
    meter(instance.open_tasks / Math.max(1, instance.max_concurrent_tasks), load),
    spend('Today', instance.spent_today, instance.daily_limit),
    spend('This month', instance.spent_this_month, instance.monthly_limit),
    h('p', { class: 'muted' },
      `Reserved ${instance.reserved} · recent ${instance.recent_succeeded}/${instance.recent_finished} succeeded`,
      instance.last_activity_millis ? ` · last active ${time(instance.last_activity_millis)}` : ''),
    h('h4', {}, 'Recent actions'),
    actions.length
      ? h('ul', { class: 'actions' }, actions.map(action))
      : h('p', { class: 'muted actions-none' }, 'none yet'));
}

function projectText(project) {
  return [project.organisation, project.project, project.repository].filter(Boolean).join('/');
}
