// Deployments: every deployed version, and the diagram of the one chosen.

import { get } from '../api.js';
import { h, table } from '../dom.js';

let viewer = null;

export async function enter(main, arg) {
  const { processes } = await get('/api/deployments');
  const newestFirst = [...processes].reverse();
  const chosen = Number(arg) || (newestFirst[0] && newestFirst[0].process_definition_key);
  const diagram = h('div', { id: 'diagram' });
  main.append(
    h('h1', {}, 'Deployments'),
    table(['Workflow', 'Version', 'Definition key', 'Resource'], newestFirst.map((p) => h('tr', { 'data-definition': p.process_definition_key, class: p.process_definition_key === chosen ? 'chosen' : '' },
      h('td', {}, h('a', { href: `#/deployments/${p.process_definition_key}` }, p.bpmn_process_id)),
      h('td', {}, p.version),
      h('td', {}, p.process_definition_key),
      h('td', {}, p.resource_name))), { id: 'deployments' }));
  if (!chosen) return;
  const shown = await get(`/api/deployments/${chosen}/diagram`);
  main.append(h('h2', { id: 'deployment-title' }, `${shown.bpmn_process_id} version ${shown.version}`), diagram);
  viewer = new window.BpmnJS({ container: diagram });
  await viewer.importXML(shown.xml);
  viewer.get('canvas').zoom('fit-viewport', 'auto');
}

export function leave() {
  if (viewer) viewer.destroy();
  viewer = null;
}
