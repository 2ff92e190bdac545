// The persona board: each persona instance with its load (tasks in flight against capacity)
// and spend (today and this month against the limits), refreshed by the live events.

import { get } from '../api.js';
import { debounce, errorText, h, time } from '../dom.js';

let view = null;

export async function enter(main) {
  const board = h('div', { class: 'board', id: 'persona-board' });
  main.append(h('h1', {}, 'Personas'), board);
  view = { board, refresh: null };
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
    const { instances } = await get('/api/personas/instances');
    if (view !== current) return;
    current.board.replaceChildren(...(instances.length
      ? instances.map(card)
      : [h('p', { class: 'muted' }, 'No persona instance yet: POST /api/personas/instances creates one.')]));
  } catch (error) {
    current.board.replaceChildren(errorText(error));
  }
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

function card(instance) {
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
      instance.last_activity_millis ? ` · last active ${time(instance.last_activity_millis)}` : ''));
}

function projectText(project) {
  return [project.organisation, project.project, project.repository].filter(Boolean).join('/');
}
