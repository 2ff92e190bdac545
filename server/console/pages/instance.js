// One instance: the diagram with its tokens (active, completed, incident markers), variables,
// history, incidents with Retry, and the SLA clocks (pending boundary timers with due times).

import { get, post } from '../api.js';
import { debounce, errorText, h, stateLabel, table, time } from '../dom.js';

let view = null;

export async function enter(main, arg) {
  const key = Number(arg);
  const parts = {
    header: h('div'),
    diagram: h('div', { id: 'diagram' }),
    incidents: h('div', { id: 'incidents' }),
    clocks: h('div', { id: 'clocks' }),
    variables: h('div', { id: 'variables' }),
    history: h('div', { id: 'history' }),
  };
  main.append(
    parts.header,
    parts.diagram,
    h('div', { class: 'grid2' },
      h('section', {}, h('h2', {}, 'Incidents'), parts.incidents, h('h2', {}, 'SLA clocks'), parts.clocks),
      h('section', {}, h('h2', {}, 'Variables'), parts.variables)),
    h('h2', {}, 'History'),
    parts.history);
  const viewer = new window.BpmnJS({ container: parts.diagram });
  view = { key, parts, viewer, shownVersion: null, markers: [], ticker: null, refresh: null };
  view.refresh = debounce(() => load(view), 120);
  view.ticker = setInterval(() => tick(view), 1000);
  await load(view);
}

export function leave() {
  if (!view) return;
  clearInterval(view.ticker);
  view.viewer.destroy();
  view = null;
}

export function onEvent(event) {
  if (view && event.process_instance_key === view.key) view.refresh();
}

async function load(current) {
  try {
    const [status, diagram] = await Promise.all([
      get(`/api/workflows/status/${current.key}`),
      get(`/api/workflows/${current.key}/diagram`),
    ]);
    if (view !== current) return;
    renderHeader(current, status.instance);
    await renderDiagram(current, diagram);
    renderIncidents(current, status.open_incidents);
    renderClocks(current, status.pending_timers);
    renderVariables(current, status.variables);
    renderHistory(current, diagram.history);
  } catch (error) {
    current.parts.header.replaceChildren(errorText(error));
  }
}

function renderHeader(current, instance) {
  current.parts.header.replaceChildren(h('h1', {},
    `Instance ${instance.key} · ${instance.bpmn_process_id} v${instance.version} `,
    h('span', { id: 'instance-state' }, stateLabel(instance.status))));
}

async function renderDiagram(current, diagram) {
  const { viewer } = current;
  if (current.shownVersion !== diagram.bpmn_process_id + diagram.version) {
    await viewer.importXML(diagram.xml);
    viewer.get('canvas').zoom('fit-viewport', 'auto');
    current.shownVersion = diagram.bpmn_process_id + diagram.version;
  }
  const canvas = viewer.get('canvas');
  const overlays = viewer.get('overlays');
  const registry = viewer.get('elementRegistry');
  for (const [id, marker] of current.markers) canvas.removeMarker(id, marker);
  overlays.remove({ type: 'tokens' });
  current.markers = [];
  for (const element of diagram.elements) {
    if (!registry.get(element.element_id)) continue;
    const marker = element.incident ? 'token-incident' : element.active ? 'token-active' : element.completed ? 'token-completed' : null;
    if (!marker) continue;
    canvas.addMarker(element.element_id, marker);
    current.markers.push([element.element_id, marker]);
    const badges = [];
    if (element.active) badges.push(h('span', { class: 'badge badge-active', title: 'active' }, element.active));
    if (element.incident) badges.push(h('span', { class: 'badge badge-incident', title: 'incident' }, '!'));
    if (element.completed && !element.active) badges.push(h('span', { class: 'badge badge-completed', title: 'completed' }, element.completed));
    overlays.add(element.element_id, 'tokens', { position: { bottom: 8, right: 8 }, html: h('div', { class: 'badges' }, badges) });
  }
}

function renderIncidents(current, incidents) {
  if (!incidents.length) {
    current.parts.incidents.replaceChildren(h('p', { class: 'muted' }, 'None open.'));
    return;
  }
  current.parts.incidents.replaceChildren(table(['Element', 'Type', 'Message', ''], incidents.map((incident) => {
    const problem = h('div');
    const retry = h('button', {
      type: 'button',
      class: 'retry',
      'data-incident': incident.key,
      onclick: async () => {
        retry.disabled = true;
        try {
          await post(`/api/incidents/${incident.key}/retry`, { retries: 1 });
          current.refresh();
        } catch (error) {
          problem.replaceChildren(errorText(error));
          retry.disabled = false;
        }
      },
    }, 'Retry');
    return h('tr', {},
      h('td', {}, incident.element_id),
      h('td', {}, incident.error_type),
      h('td', {}, incident.error_message),
      h('td', {}, incident.job_key ? retry : '', problem));
  })));
}

function renderClocks(current, timers) {
  if (!timers.length) {
    current.parts.clocks.replaceChildren(h('p', { class: 'muted' }, 'No timer pending.'));
    return;
  }
  current.parts.clocks.replaceChildren(table(['Timer', 'Due', 'Left'], timers.map((timer) => h('tr', {},
    h('td', {}, timer.element_id),
    h('td', {}, time(timer.due_millis)),
    h('td', { class: 'countdown', 'data-due': timer.due_millis }, left(timer.due_millis))))));
}

function left(due) {
  const seconds = Math.round((due - Date.now()) / 1000);
  if (seconds <= 0) return 'due';
  const [d, hr, m, s] = [Math.floor(seconds / 86400), Math.floor(seconds / 3600) % 24, Math.floor(seconds / 60) % 60, seconds % 60];
  return (d ? `${d}d ` : '') + (d || hr ? `${hr}h ` : '') + `${m}m ${s}s`;
}

function tick(current) {
  for (const cell of current.parts.clocks.querySelectorAll('.countdown')) cell.textContent = left(Number(cell.dataset.due));
}

function renderVariables(current, variables) {
  const names = Object.keys(variables).sort();
  current.parts.variables.replaceChildren(names.length
    ? table(['Name', 'Value'], names.map((name) => h('tr', {}, h('td', {}, name), h('td', {}, h('pre', {}, JSON.stringify(variables[name], null, 1))))))
    : h('p', { class: 'muted' }, 'No variables.'));
}

function renderHistory(current, history) {
  current.parts.history.replaceChildren(table(['Element', 'Type', 'State', 'Started', 'Ended'], history.map((element) => h('tr', {},
    h('td', {}, element.element_id),
    h('td', {}, element.element_type),
    h('td', {}, stateLabel(element.status)),
    h('td', {}, time(element.span.started.at_millis)),
    h('td', {}, element.span.ended ? time(element.span.ended.at_millis) : '')))));
}
