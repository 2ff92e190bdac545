// The RACI matrix of a deployed workflow: who is Responsible, Accountable, Consulted and
// Informed for each step.

import { get } from '../api.js';
import { h, table } from '../dom.js';

export async function enter(main, arg) {
  const { processes } = await get('/api/deployments');
  const workflows = [...new Set(processes.map((p) => p.bpmn_process_id))].sort();
  const chosen = arg || workflows[0] || '';
  const select = h('select', { id: 'raci-workflow' }, workflows.map((w) => h('option', { value: w, selected: w === chosen }, w)));
  select.addEventListener('change', () => { location.hash = `#/raci/${encodeURIComponent(select.value)}`; });
  main.append(h('h1', {}, 'RACI matrix'), h('div', { class: 'filters' }, h('label', {}, 'Workflow', select)));
  if (!chosen) {
    main.append(h('p', { class: 'muted' }, 'No workflow is deployed.'));
    return;
  }
  const matrix = await get(`/api/raci/${encodeURIComponent(chosen)}`);
  const names = (list) => list.join(', ');
  main.append(
    h('p', { class: 'muted' }, `${matrix.bpmn_process_id} version ${matrix.version}`),
    table(['Step', 'R', 'A', 'C', 'I', 'Escalation'], matrix.rows.map((row) => h('tr', { 'data-step': row.step },
      h('td', {}, row.name || row.step, h('div', { class: 'muted' }, row.human ? 'user task (a person)' : row.job_type || '')),
      h('td', { class: 'r' }, names(row.responsible)),
      h('td', {}, names(row.accountable), row.accountable.length ? h('div', { class: 'muted' }, `${row.min_approvals} of ${row.accountable.length}${row.veto.length ? ` · veto ${names(row.veto)}` : ''}`) : ''),
      h('td', {}, names(row.consulted)),
      h('td', {}, names(row.informed)),
      h('td', {}, row.escalation || ''))), { class: 'raci', id: 'raci' }));
}
