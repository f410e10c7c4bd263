/**
 * The status page as one server-rendered HTML document: inline CSS, no script, no external resource
 * (the page is served with `default-src 'none'`). Every value is escaped — emails, ids and messages
 * come from outside — and every link is relative, so the page works under any base path.
 */
import { RECORD_STATUSES, type RecordStatus } from '../store/state-store';
import { SYSTEM_LABELS, SYSTEMS } from '../systems';
import type { MetricsSnapshot } from '../metrics/memory-metrics';
import type { FeedHealth } from './feed-health';
import type { StatusReport, SystemStatus, UserRow } from './status-report';
import { statusQueryString, type StatusQuery } from './status-query';

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:12px 24px;display:flex;align-items:baseline;gap:16px;flex-wrap:wrap}
header h1{font-size:18px;margin:0}
header span{color:#c9d1d9;font-size:13px}
header a{color:#9ecbff}
main{padding:16px 24px}
.systems{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px;margin-bottom:16px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 14px}
.card h2{font-size:15px;margin:0 0 6px;display:flex;justify-content:space-between;align-items:center}
.card dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:0 0 8px;font-size:13px}
.card dt{color:#57606a}
.card dd{margin:0;overflow-wrap:anywhere}
.chips{display:flex;flex-wrap:wrap;gap:4px}
.chip{font-size:12px;padding:1px 8px;border-radius:10px;background:#eaeef2;color:#1f2328;text-decoration:none}
.chip b{font-weight:600}
.state{font-size:12px;font-weight:600;padding:1px 8px;border-radius:10px}
.state-ok,.s-applied{background:#dafbe1;color:#116329}
.state-warning,.s-unmatched,.s-parked{background:#fff8c5;color:#7d4e00}
.state-off,.state-unknown,.s-skipped,.s-pending{background:#eaeef2;color:#57606a}
.s-failed{background:#ffebe9;color:#a40e26}
form{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;display:flex;flex-wrap:wrap;gap:12px;align-items:end;margin-bottom:8px}
label{display:flex;flex-direction:column;font-size:12px;color:#57606a;gap:2px}
label.inline{flex-direction:row;align-items:center;gap:4px}
input,select,button{font:inherit;padding:3px 6px}
.summary{margin:8px 0;color:#57606a}
.note{margin:8px 0;padding:6px 10px;background:#fff8c5;border:1px solid #d4a72c66;border-radius:6px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eaeef2;vertical-align:top;font-size:13px}
th{background:#f6f8fa;font-weight:600;white-space:nowrap}
td.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere}
td .sub{display:block;color:#57606a;font-size:12px}
td.status{max-width:360px}
td.lag{white-space:nowrap}
.pager{display:flex;gap:12px;margin:8px 0}
.accounts{margin-top:8px;overflow-x:auto}
.accounts table{border:none}
.accounts td,.accounts th{font-size:12px;padding:2px 6px;white-space:nowrap}
.counters{margin-bottom:12px}
.counters summary{font-weight:600;cursor:pointer;margin-bottom:6px}
.counters table{border:none;width:auto}
.counters td,.counters th{font-size:12px;padding:2px 8px}
`;

/** "12 s", "4 min", "3 h", "2 d". */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  if (abs < 60_000) return `${(abs / 1000).toFixed(abs < 10_000 ? 1 : 0)} s`;
  if (abs < 3_600_000) return `${Math.round(abs / 60_000)} min`;
  if (abs < 86_400_000) return `${Math.round(abs / 3_600_000)} h`;
  return `${Math.round(abs / 86_400_000)} d`;
}

function when(isoTime: string | undefined, now: number): string {
  if (!isoTime) return '—';
  const at = Date.parse(isoTime);
  if (!Number.isFinite(at)) return escapeHtml(isoTime);
  const relative = at <= now ? `${formatDuration(now - at)} ago` : `in ${formatDuration(at - now)}`;
  return `<time datetime="${escapeHtml(isoTime)}" title="${escapeHtml(isoTime)}">${escapeHtml(relative)}</time>`;
}

function link(query: StatusQuery, change: Partial<StatusQuery>, text: string, className = ''): string {
  const cls = className ? ` class="${className}"` : '';
  return `<a${cls} href="${escapeHtml(statusQueryString(query, { offset: 0, ...change }))}">${text}</a>`;
}

function renderFeed(feed: FeedHealth, now: number): string {
  const accounts = feed.teamsAccounts ?? [];
  if (accounts.length === 0) return '';
  const withErrors = accounts.some((a) => a.lastError);
  const rows = accounts
    .map(
      (a) =>
        `<tr><td>${escapeHtml(a.account)}</td><td>${escapeHtml(a.username ?? '(not signed in)')}</td><td>${a.users}</td>` +
        `<td>${when(a.expiresAt, now)}</td><td>${when(a.lastNotificationAt, now)}</td>${withErrors ? `<td>${escapeHtml(a.lastError ?? '')}</td>` : ''}</tr>`,
    )
    .join('');
  const headers = ['account', 'signed in as', 'users', 'expires', 'delivered', ...(withErrors ? ['last error'] : [])];
  return `<div class="accounts"><table><thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

function renderSystem(system: SystemStatus, query: StatusQuery, now: number): string {
  const chips = RECORD_STATUSES.filter((status) => system.counts[status] > 0)
    .map((status) => link(query, { system: system.system, status }, `${escapeHtml(status)} <b>${system.counts[status]}</b>`, `chip s-${status}`))
    .join('');
  const source = system.source.id
    ? `${escapeHtml(system.source.name)} <span class="sub">${escapeHtml(system.source.id)}</span>`
    : `${escapeHtml(system.source.name)} <span class="sub">(not created yet)</span>`;
  return `<section class="card" id="system-${system.system}">
<h2>${escapeHtml(system.label)} <span class="state state-${system.feed.state}">${escapeHtml(system.feed.kind)}: ${escapeHtml(system.feed.state)}</span></h2>
<dl>
<dt>Genesys source</dt><dd>${source}</dd>
<dt>feed</dt><dd>${escapeHtml(system.feed.summary)}</dd>
<dt>last event</dt><dd>${when(system.lastEventAt, now)}</dd>
<dt>last write</dt><dd>${when(system.lastAppliedAt, now)}</dd>
<dt>users</dt><dd>${link(query, { system: system.system, status: undefined }, String(system.users))}</dd>
</dl>
<div class="chips">${chips || '<span class="chip">no users yet</span>'}</div>
${renderFeed(system.feed, now)}
</section>`;
}

function option(value: string, label: string, selected: boolean): string {
  return `<option value="${escapeHtml(value)}"${selected ? ' selected' : ''}>${escapeHtml(label)}</option>`;
}

function renderFilters(query: StatusQuery): string {
  const statuses = [option('', 'any', !query.status), ...RECORD_STATUSES.map((s) => option(s, s, query.status === s))].join('');
  const systems = [option('', 'any', !query.system), ...SYSTEMS.map((s) => option(s, SYSTEM_LABELS[s], query.system === s))].join('');
  return `<form method="get">
<label>status<select name="status">${statuses}</select></label>
<label>system<select name="system">${systems}</select></label>
<label>email contains<input type="search" name="q" value="${escapeHtml(query.text ?? '')}" maxlength="200"></label>
<label>rows per page<input type="number" name="limit" min="1" max="1000" value="${query.limit}"></label>
<label class="inline"><input type="checkbox" name="primary" value="1"${query.primary ? ' checked' : ''}>read primary sources</label>
<button type="submit">Apply</button>
<span>${link(query, { status: 'unmatched' }, 'unmatched')} · ${link(query, { status: 'failed' }, 'failed')} · ${link(query, { status: 'parked' }, 'parked')} · ${link(
    { limit: query.limit, offset: 0, primary: false },
    {},
    'clear filters',
  )}</span>
</form>`;
}

function describeTarget(target: string | null, message: string): string {
  return target === null ? `skip <span class="sub">${escapeHtml(message)}</span>` : `${escapeHtml(target)} <span class="sub">${escapeHtml(message)}</span>`;
}

function renderRow(row: UserRow, now: number, showPrimary: boolean): string {
  const status = row.status as RecordStatus;
  const detail = [row.detail, row.retryAt ? `retry ${row.retryAt}` : undefined].filter(Boolean).join(' · ');
  const cells = [
    `<td>${escapeHtml(SYSTEM_LABELS[row.system])}</td>`,
    `<td class="mono">${escapeHtml(row.externalUserId)}</td>`,
    `<td>${escapeHtml(row.email ?? '—')}</td>`,
    `<td>${describeTarget(row.desired.target, row.desired.message)}<span class="sub">${when(row.desired.at, now)}</span></td>`,
    row.applied
      ? `<td>${describeTarget(row.applied.target, row.applied.message)}<span class="sub">${when(row.applied.appliedAt, now)}</span></td>`
      : '<td>—</td>',
    `<td class="status"><span class="state s-${escapeHtml(status)}">${escapeHtml(status)}</span>${detail ? `<span class="sub">${escapeHtml(detail)}</span>` : ''}</td>`,
    `<td class="lag">${row.lagMs === undefined ? '—' : escapeHtml(formatDuration(row.lagMs))}</td>`,
  ];
  if (showPrimary) cells.push(`<td>${escapeHtml(row.primarySource ?? (row.genesysUserId ? '(not read)' : '—'))}</td>`);
  return `<tr data-system="${escapeHtml(row.system)}" data-status="${escapeHtml(status)}">${cells.join('')}</tr>`;
}

function renderPager(report: StatusReport): string {
  const { offset, limit, matching } = report.users;
  const query = report.filters;
  const first = matching === 0 ? 0 : offset + 1;
  const last = Math.min(matching, offset + limit);
  const previous = offset > 0 ? link(query, { offset: Math.max(0, offset - limit) }, '← previous') : '';
  const next = offset + limit < matching ? link(query, { offset: offset + limit }, 'next →') : '';
  return `<p class="summary">Users ${first}–${last} of ${matching} matching (${report.users.total} recorded).</p>${
    previous || next ? `<div class="pager">${previous}${next}</div>` : ''
  }`;
}

/** "Counters since start": the local process's metrics, the same names CloudWatch has on AWS. */
function renderCounters(counters: MetricsSnapshot | undefined, now: number): string {
  if (!counters) return '';
  const label = (entry: { system?: string; reason?: string }): string =>
    [entry.system, entry.reason]
      .filter(Boolean)
      .map((part) => escapeHtml(part))
      .join(' · ') || 'all';
  const rows = [
    ...counters.counters.map((c) => `<tr><td>${escapeHtml(c.name)}</td><td>${label(c)}</td><td>${c.value}</td></tr>`),
    ...counters.gauges.map((g) => `<tr><td>${escapeHtml(g.name)} (at the last maintenance run)</td><td>${label(g)}</td><td>${g.value}</td></tr>`),
    ...counters.timings.map(
      (t) =>
        `<tr><td>${escapeHtml(t.name)}</td><td>${label(t)}</td><td>${t.count} write(s) · p50 ${escapeHtml(formatDuration(t.p50))} · p99 ${escapeHtml(
          formatDuration(t.p99),
        )} · max ${escapeHtml(formatDuration(t.max))}</td></tr>`,
    ),
  ].join('');
  return `<details class="card counters" id="counters" open><summary>Counters since start (${when(counters.since, now)})</summary>
<table><thead><tr><th>metric</th><th>system · reason</th><th>value</th></tr></thead><tbody>${
    rows || '<tr><td colspan="3">nothing counted yet</td></tr>'
  }</tbody></table></details>`;
}

/** Renders the whole page. */
export function renderStatusHtml(report: StatusReport): string {
  const now = Date.parse(report.generatedAt);
  const query = report.filters;
  const showPrimary = report.primarySources.requested;
  const headers = ['system', 'external id', 'email', 'desired', 'applied', 'status', 'lag', ...(showPrimary ? ['primary source'] : [])];
  const rows = report.users.rows.map((row) => renderRow(row, now, showPrimary)).join('\n');
  const empty = `<tr><td colspan="${headers.length}">No users match these filters.</td></tr>`;
  const note = report.primarySources.note ? `<p class="note">Primary source: ${escapeHtml(report.primarySources.note)}.</p>` : '';
  const jsonHref = `status.json${statusQueryString(query, {}).replace(/^\?$/, '')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>presence-bridge status</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>presence-bridge status</h1><span>generated ${escapeHtml(report.generatedAt)}</span><span><a href="${escapeHtml(jsonHref)}">JSON</a></span></header>
<main>
<div class="systems">
${report.systems.map((system) => renderSystem(system, query, now)).join('\n')}
</div>
${renderCounters(report.counters, now)}
${renderFilters(query)}
${renderPager(report)}
${note}
<table id="users">
<thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows || empty}
</tbody>
</table>
${report.users.rows.length > 0 ? renderPager(report) : ''}
</main>
</body>
</html>
`;
}
