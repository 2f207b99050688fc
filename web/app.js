/* app.js: the clockwatch agent's dashboard. Polls the agent's JSON API (doc/clockwatch.1,
 * clockwatch.{agent,status,peers,alarms,history}/1) and renders it; no framework, no bundler.
 *
 * Rules this file keeps:
 * - The page runs under a strict CSP: no inline styles; colours come from classes, sizes from
 *   CSSOM property assignment. Text from the API goes in through textContent only.
 * - Times shown are the agent's (ages it measured, timestamps it wrote, in UTC). The browser's
 *   clock is never used to judge time: it may be the very clock that is wrong.
 * - Values in the API are seconds (keys ending in _s) or ppm; null means unknown and shows "—".
 */
'use strict';

(function () {
	const POLL_MS = 5000;
	const HISTORY_MS = 30000;
	const TIMEOUT_MS = 4000;
	const LOG_COUNT = 20;
	const POINTS = 300;
	const DASH = '\u2014';

	const SEVERITIES = ['cleared', 'minor', 'major', 'critical'];
	/* Canvas colours (charts only) for severity_level 2..4; CSS holds the page's colours. */
	const SEV_FILL = { 2: '#eab308', 3: '#c2410c', 4: '#b91c1c' };
	/* ntpq's tally characters, as CSS classes. */
	const TALLY_CLASS = {
		'*': 't-sys', 'o': 't-sys', '+': 't-cand', '-': 't-out', '#': 't-backup',
		'x': 't-false', '~': 't-var', '?': 't-unus', ' ': 't-none'
	};

	const $ = (id) => document.getElementById(id);

	const state = {
		agent: null,
		intervalS: null,
		haveAll: false,         /* the last poll got all four answers */
		historyOk: false,       /* one history answer arrived */
		connected: null,        /* null until the first poll ends */
		updated: 0,
		announced: '',
		rangeS: 3600,
		historyGen: 0,
		historyCtl: null,
		lastSeq: null,          /* the newest alarm event seen */
		charts: null
	};

	/* ---------- formatting ---------- */

	function isNum(v) {
		return typeof v === 'number' && Number.isFinite(v);
	}

	/* Seconds in ns, µs, ms or s, three significant figures or so; signed adds '+'. */
	function fmtSec(v, signed) {
		if (!isNum(v))
			return DASH;
		const a = Math.abs(v);
		let x, unit;
		if (a === 0)
			return '0 s';
		if (a < 1e-6) {
			x = v * 1e9; unit = 'ns';
		} else if (a < 1e-3) {
			x = v * 1e6; unit = '\u00b5s';
		} else if (a < 1) {
			x = v * 1e3; unit = 'ms';
		} else {
			x = v; unit = 's';
		}
		const ax = Math.abs(x);
		let digits;
		if (unit === 's')
			digits = ax < 1000 ? 3 : 1;
		else
			digits = ax < 10 ? 2 : ax < 100 ? 1 : 0;
		let text = x.toFixed(digits);
		if (signed && x > 0)
			text = '+' + text;
		return text + ' ' + unit;
	}

	/* A duration for people: "1.6 s", "42 s", "5 min 3 s", "2 h 5 min", "3 d 4 h". */
	function fmtAge(s) {
		if (!isNum(s))
			return DASH;
		if (s < 10)
			return s.toFixed(1) + ' s';
		if (s < 60)
			return Math.round(s) + ' s';
		const t = Math.round(s);
		if (t < 3600)
			return Math.floor(t / 60) + ' min ' + (t % 60) + ' s';
		if (t < 86400)
			return Math.floor(t / 3600) + ' h ' + Math.floor((t % 3600) / 60) + ' min';
		return Math.floor(t / 86400) + ' d ' + Math.floor((t % 86400) / 3600) + ' h';
	}

	/* "2026-11-22T02:10:48Z" -> "2026-11-22 02:10:48"; anything else as it came. */
	function fmtUtc(text) {
		if (typeof text !== 'string' || text === '')
			return DASH;
		const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(text);
		return m ? m[1] + ' ' + m[2] : text;
	}

	/* Unix seconds -> "2026-11-22 01:30:12" (UTC), or a part of it. */
	function fmtTs(ts, part) {
		if (!isNum(ts))
			return DASH;
		const iso = new Date(Math.round(ts) * 1000).toISOString();
		if (part === 'date')
			return iso.slice(0, 10);
		if (part === 'hm')
			return iso.slice(11, 16);
		if (part === 'hms')
			return iso.slice(11, 19);
		return iso.slice(0, 10) + ' ' + iso.slice(11, 19);
	}

	/* Time axis labels in UTC, 24 h: "14:30"; the date under midnight and on day ticks. */
	function fmtTimeAxis(u, splits, axisIdx, space, incr) {
		return splits.map((ts) => {
			if (!isNum(ts))
				return '';
			if (incr >= 86400)
				return fmtTs(ts, 'date');
			const hm = fmtTs(ts, incr < 60 ? 'hms' : 'hm');
			return ts % 86400 === 0 ? hm + '\n' + fmtTs(ts, 'date').slice(5) : hm;
		});
	}

	/* Tick labels of one axis share a unit, chosen by the largest value. */
	function fmtAxis(splits) {
		let max = 0;
		for (const v of splits)
			if (isNum(v))
				max = Math.max(max, Math.abs(v));
		let mul = 1, unit = 's';
		if (max === 0) {
			mul = 1; unit = 's';
		} else if (max < 1e-6) {
			mul = 1e9; unit = 'ns';
		} else if (max < 1e-3) {
			mul = 1e6; unit = '\u00b5s';
		} else if (max < 1) {
			mul = 1e3; unit = 'ms';
		}
		const step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) * mul : 1;
		const digits = step > 0 ? Math.min(6, Math.max(0, Math.ceil(-Math.log10(step) + 1e-9))) : 0;
		return splits.map((v) => (isNum(v) ? (v * mul).toFixed(digits) + ' ' + unit : ''));
	}

	/* ---------- DOM helpers ---------- */

	function setText(id, text) {
		const el = $(id);
		const t = text == null ? '' : String(text);
		if (el.textContent !== t)
			el.textContent = t;
	}

	/* Puts exactly one of the classes in `all` on el (or none when cls is null). */
	function setOneClass(el, all, cls) {
		for (const c of all)
			if (c !== cls)
				el.classList.remove(c);
		if (cls)
			el.classList.add(cls);
	}

	/* A body cell; label names its column where narrow screens stack the table (CSS). The
	 * explicit roles keep table semantics when CSS changes the cells' display. */
	function cell(row, text, cls, label) {
		const td = document.createElement('td');
		td.setAttribute('role', 'cell');
		td.textContent = text;
		if (cls)
			td.className = cls;
		if (label)
			td.dataset.label = label;
		row.appendChild(td);
		return td;
	}

	function bodyRow(testid) {
		const tr = document.createElement('tr');
		tr.setAttribute('role', 'row');
		tr.dataset.testid = testid;
		return tr;
	}

	function rowHeader(row, text, cls) {
		const th = document.createElement('th');
		th.scope = 'row';
		th.setAttribute('role', 'rowheader');
		th.textContent = text;
		if (cls)
			th.className = cls;
		row.appendChild(th);
		return th;
	}

	function sevClass(word) {
		return SEVERITIES.includes(word) ? 'sev-' + word : 'sev-unknown';
	}

	function sevBadge(word) {
		const s = document.createElement('span');
		s.className = 'sev ' + sevClass(word);
		s.textContent = word || 'unknown';
		return s;
	}

	/* ---------- fetching ---------- */

	/* GET a JSON document with a time limit. Resolves {ok, status, data, error, network}. */
	async function getJSON(path, timeoutMs, outerCtl) {
		const ctl = new AbortController();
		const timer = setTimeout(() => ctl.abort(), timeoutMs);
		const onOuter = () => ctl.abort();
		if (outerCtl)
			outerCtl.signal.addEventListener('abort', onOuter);
		try {
			const res = await fetch(path, {
				signal: ctl.signal,
				cache: 'no-store',
				headers: { Accept: 'application/json' }
			});
			let data = null;
			try {
				data = await res.json();
			} catch (e) {
				data = null;
			}
			if (!res.ok) {
				const why = data && typeof data.error === 'string' ? data.error : res.statusText;
				return { ok: false, status: res.status, data: data, error: why, network: false };
			}
			if (data === null || typeof data !== 'object')
				return { ok: false, status: res.status, data: null, error: 'not JSON', network: false };
			return { ok: true, status: res.status, data: data, error: null, network: false };
		} catch (e) {
			const aborted = e && e.name === 'AbortError';
			const outer = aborted && outerCtl && outerCtl.signal.aborted;
			return {
				ok: false, status: 0, data: null, network: !outer, cancelled: outer,
				error: aborted ? 'no answer within ' + timeoutMs / 1000 + ' s' : 'no connection'
			};
		} finally {
			clearTimeout(timer);
			if (outerCtl)
				outerCtl.signal.removeEventListener('abort', onOuter);
		}
	}

	/* ---------- rendering: agent, status, sources, alarms ---------- */

	function renderAgent(a) {
		state.agent = a;
		if (isNum(a.interval_s) && a.interval_s > 0)
			state.intervalS = a.interval_s;
		const node = a.node || '(unnamed node)';
		setText('node', node);
		const title = node + ' \u2013 clockwatch';
		if (document.title !== title)
			document.title = title;
		setText('last-check', a.last_check ? fmtUtc(a.last_check) + ' UTC' : 'none yet');
		setText('interval', isNum(a.interval_s) ? fmtAge(a.interval_s) : DASH);
		setText('checks', isNum(a.checks_total) ? String(a.checks_total) : DASH);
		setText('agent-version', 'clockwatch ' + (a.version || '?') +
		    (a.started ? ', started ' + fmtUtc(a.started) + ' UTC' : ''));
	}

	function syncWord(sync) {
		if (sync === true)
			return 'Synchronized';
		if (sync === false)
			return 'Not synchronized';
		return 'Unknown';
	}

	function renderSync(sync) {
		const card = $('sync-card');
		setOneClass(card, ['is-ok', 'is-bad', 'is-unknown'],
		    sync === true ? 'is-ok' : sync === false ? 'is-bad' : 'is-unknown');
		setText('sync-state', syncWord(sync));
	}

	function renderDaemon(st) {
		const services = Array.isArray(st.services) ? st.services : [];
		let svc = services.find((s) => s && s.name === st.service);
		const pill = $('daemon-state');
		let answering = null;
		if (svc) {
			answering = svc.answering === true;
		} else {
			svc = services.find((s) => s && s.running);
			answering = false;
		}
		if (!svc) {
			setText('daemon', 'none');
			setText('daemon-state', 'no time service runs');
			setOneClass(pill, ['pill-ok', 'pill-bad'], 'pill-bad');
			setText('daemon-extra', '');
			return;
		}
		setText('daemon', svc.name);
		setText('daemon-state', answering ? 'answering' : 'not answering');
		setOneClass(pill, ['pill-ok', 'pill-bad'], answering ? 'pill-ok' : 'pill-bad');
		const extra = [];
		if (isNum(svc.pid) && svc.pid > 0)
			extra.push('pid ' + svc.pid);
		if (svc.version)
			extra.push('version ' + svc.version);
		if (svc.endpoint)
			extra.push('at ' + svc.endpoint);
		if (svc.can_set_clock === false)
			extra.push('cannot set the clock');
		if (svc.error)
			extra.push(svc.error);
		if (svc.note)
			extra.push(svc.note);
		setText('daemon-extra', extra.join('; '));
	}

	function renderStatus(st) {
		const sys = st.system || {};
		const sync = typeof sys.synchronized === 'boolean' ? sys.synchronized : null;
		renderSync(sync);
		const v = st.verdict || {};
		setText('verdict', v.text || '');
		setOneClass($('verdict'), ['v-ok', 'v-warning', 'v-critical', 'v-unknown'],
		    v.level ? 'v-' + v.level : null);

		setText('source', sys.source_name || (sync ? DASH : 'none'));
		const extra = [];
		if (sys.source_address && sys.source_address !== sys.source_name)
			extra.push(sys.source_address);
		if (sys.refid && sys.refid !== sys.source_name && sys.refid !== sys.source_address)
			extra.push('refid ' + sys.refid);
		setText('source-extra', extra.length ? ' (' + extra.join(', ') + ')' : '');

		setText('last-sync', isNum(sys.last_sync_age_s) ? fmtAge(sys.last_sync_age_s) + ' ago' :
		    'never');
		setText('last-sync-extra', isNum(sys.update_interval_s) && sys.update_interval_s > 0 ?
		    '(every ' + fmtAge(sys.update_interval_s) + ')' : '');
		setText('offset', isNum(sys.offset_s) ?
		    fmtSec(sys.offset_s, true) + (isNum(sys.offset_error_s) ?
		    ' \u00b1 ' + fmtSec(sys.offset_error_s) : '') : 'unknown');
		const stratumKnown = isNum(sys.stratum) && !(sys.stratum === 0 && sync !== true);
		setText('stratum', stratumKnown ? String(sys.stratum) : DASH);
		setText('rootdist', fmtSec(sys.root_distance_s));
		const ppm = sys.frequency_ppm;
		setText('freq', !isNum(ppm) ? DASH : Math.abs(ppm).toFixed(3) + ' ppm' +
		    (ppm < 0 ? ' slow' : ppm > 0 ? ' fast' : ''));
		setText('leap', sys.leap || DASH);
		renderDaemon(st);
	}

	/* /api/v1/status answered with an error (503 before the first check). */
	function renderStatusError(r) {
		renderSync(null);
		const waiting = r.status === 503;
		setText('verdict', waiting ? 'Waiting for the agent\u2019s first check.' :
		    'The agent could not report the status: ' + r.error + '.');
		setOneClass($('verdict'), ['v-ok', 'v-warning', 'v-critical', 'v-unknown'], 'v-unknown');
		for (const id of ['source', 'last-sync', 'offset', 'stratum', 'rootdist', 'freq', 'leap', 'daemon'])
			setText(id, DASH);
		for (const id of ['source-extra', 'last-sync-extra', 'daemon-state', 'daemon-extra'])
			setText(id, '');
		setOneClass($('daemon-state'), ['pill-ok', 'pill-bad'], null);
	}

	function renderSources(doc) {
		const body = $('sources-body');
		const rows = Array.isArray(doc.sources) ? doc.sources : [];
		const frag = document.createDocumentFragment();
		for (const s of rows) {
			const tr = bodyRow('source-row');
			const tally = typeof s.tally === 'string' && s.tally !== '' ? s.tally : ' ';
			tr.className = TALLY_CLASS[tally] || 't-none';
			const st = cell(tr, '', 'state');
			const t = document.createElement('span');
			t.className = 'tally';
			t.textContent = tally;
			st.appendChild(t);
			st.appendChild(document.createTextNode(' ' + (s.state || '')));
			rowHeader(tr, s.name || s.address || DASH, 'name');
			cell(tr, s.address || DASH, s.address && s.address === s.name ? 'addr same' : 'addr',
			    'Address');
			cell(tr, isNum(s.stratum) ? String(s.stratum) : DASH, 'num', 'Stratum');
			cell(tr, isNum(s.reach) ? s.reach.toString(8) : DASH, 'num', 'Reach');
			cell(tr, isNum(s.poll_s) ? (s.poll_s >= 1 ? Math.round(s.poll_s) + ' s' :
			    fmtSec(s.poll_s)) : DASH, 'num', 'Poll');
			cell(tr, fmtSec(s.offset_s, true), 'num', 'Offset');
			cell(tr, fmtSec(s.delay_s), 'num', 'Delay');
			cell(tr, fmtSec(s.jitter_s), 'num', 'Jitter');
			frag.appendChild(tr);
		}
		body.replaceChildren(frag);
		setText('sources-count', '(' + rows.length + ')');
		const msg = $('sources-msg');
		msg.hidden = rows.length > 0;
		if (!rows.length)
			msg.textContent = 'The time service reports no sources.';
	}

	/* The node-by-node view: each node's clock against this one and the majority; the odd
	 * one out stands out. Hidden without a cluster. */
	function renderCluster(doc) {
		const card = $('cluster-card');
		card.hidden = !doc;
		if (!doc)
			return;
		const nodes = Array.isArray(doc.nodes) ? doc.nodes : [];
		const frag = document.createDocumentFragment();
		for (const n of nodes) {
			const tr = bodyRow('cluster-row');
			tr.className = n.outlier ? 'outlier' : (n.measured ? '' : 'unmeasured');
			rowHeader(tr, (n.name || DASH) + (n.self ? ' (this node)' : ''), 'name');
			cell(tr, n.role || DASH, '', 'Role');
			cell(tr, n.self ? DASH : (n.address || DASH) + (isNum(n.port) ? ':' + n.port : ''),
			    'addr', 'Address');
			cell(tr, n.measured ? fmtSec(n.offset_s, true) : DASH, 'num', 'Offset');
			cell(tr, isNum(n.from_majority_s) ? fmtSec(n.from_majority_s, true) : DASH, 'num',
			    'From majority');
			cell(tr, n.outlier ? 'OUTLIER' : n.measured ? 'ok' : 'not measured: ' + (n.error || ''),
			    'state', 'State');
			frag.appendChild(tr);
		}
		$('cluster-body').replaceChildren(frag);
		setText('cluster-count', '(' + nodes.length + ')');
		setText('cluster-verdict', doc.exceeded ? doc.text :
		    'The ' + doc.nodes_measured + ' measured nodes agree within ' + doc.threshold_s + ' s (spread ' +
		    fmtSec(doc.spread_s) + ').');
		setOneClass($('cluster-verdict'), ['bad', 'good'], doc.exceeded ? 'bad' : 'good');
	}

	function renderSourcesError(r) {
		$('sources-body').replaceChildren();
		setText('sources-count', '');
		const msg = $('sources-msg');
		msg.hidden = false;
		msg.textContent = r.status === 503 ? 'Waiting for the agent\u2019s first check.' :
		    'Sources unavailable: ' + r.error + '.';
	}

	function renderAlarm(al) {
		const sev = al && typeof al.severity === 'string' ? al.severity : 'unknown';
		const text = al && typeof al.text === 'string' ? al.text : '';
		const badge = $('alarm-severity');
		setOneClass(badge, SEVERITIES.map((w) => 'sev-' + w).concat(['sev-unknown']), sevClass(sev));
		setText('alarm-severity', sev);
		setText('alarm-text', text);
		setOneClass($('alarm-card'), SEVERITIES.map((w) => 'is-' + w).concat(['is-unknown']),
		    SEVERITIES.includes(sev) ? 'is-' + sev : 'is-unknown');
		$('alarm-none').hidden = sev !== 'cleared';
		$('alarm-text').hidden = text === '';
	}

	function renderLog(doc) {
		const events = Array.isArray(doc.events) ? doc.events.slice(-LOG_COUNT).reverse() : [];
		const frag = document.createDocumentFragment();
		for (const e of events) {
			const tr = bodyRow('alarm-row');
			if (isNum(e.seq))
				tr.dataset.seq = String(e.seq);
			rowHeader(tr, fmtUtc(e.time), 'time');
			cell(tr, e.event || DASH, 'event');
			const sc = cell(tr, '', 'sevcell');
			sc.appendChild(sevBadge(e.severity));
			cell(tr, typeof e.text === 'string' ? e.text : '', 'text');
			frag.appendChild(tr);
		}
		$('log-body').replaceChildren(frag);
		const msg = $('log-msg');
		msg.hidden = events.length > 0;
		if (!events.length)
			msg.textContent = 'No alarm events logged yet.';
	}

	function renderLogError(r) {
		const msg = $('log-msg');
		msg.hidden = false;
		msg.textContent = 'Alarm log unavailable: ' + r.error + '.';
	}

	/* ---------- connection state and the live region ---------- */

	/* Returns true when the connection came back after it was lost. */
	function setConnected(ok, why) {
		const was = state.connected;
		state.connected = ok;
		const conn = $('conn');
		setOneClass(conn, ['is-ok', 'is-lost'], ok ? 'is-ok' : 'is-lost');
		setText('conn-state', ok ? 'Connected' : 'Connection lost');
		document.body.classList.toggle('is-stale', !ok);
		const banner = $('banner');
		if (ok) {
			banner.hidden = true;
			banner.textContent = '';
		} else {
			const last = state.agent && state.agent.last_check ?
			    ' The values below are from the check at ' + fmtUtc(state.agent.last_check) +
			    ' UTC.' : '';
			banner.textContent = 'Connection lost: the agent does not answer (' + why + ').' +
			    last + ' Retrying every ' + POLL_MS / 1000 + ' s.';
			banner.hidden = false;
		}
		/* the banner (role=alert) announces the loss; the live region announces the return */
		return was === false && ok;
	}

	function announce(text) {
		if (text && text !== state.announced) {
			state.announced = text;
			$('announce').textContent = text;
		}
	}

	function summary() {
		const sev = $('alarm-severity').textContent;
		const text = $('alarm-text').textContent;
		return $('sync-state').textContent + '. Alarm: ' + sev + (text ? ': ' + text : '') + '.';
	}

	/* ---------- the 5 s poll ---------- */

	/* What /api/v1/status and /api/v1/sources answer before the first check, without asking
	 * them (every failed fetch is a console error in browsers, which tests count). */
	const NOT_YET = { ok: false, status: 503, data: null, error: 'no check yet', network: false };

	async function refresh() {
		const agent = await getJSON('api/v1/agent', TIMEOUT_MS);
		if (agent.network) {
			state.haveAll = false;
			setConnected(false, agent.error);
			return;
		}
		const checked = !(agent.ok && agent.data.last_check === null);
		const clustered = agent.ok && isNum(agent.data.cluster_nodes) && agent.data.cluster_nodes > 0;
		const [status, sources, alarms, cluster] = await Promise.all([
			checked ? getJSON('api/v1/status', TIMEOUT_MS) : NOT_YET,
			checked ? getJSON('api/v1/sources', TIMEOUT_MS) : NOT_YET,
			getJSON('api/v1/alarms?count=' + LOG_COUNT, TIMEOUT_MS),
			checked && clustered ? getJSON('api/v1/cluster', TIMEOUT_MS) : NOT_YET
		]);
		const lost = [status, sources, alarms, cluster].find((r) => r.network);
		if (lost) {
			state.haveAll = false;
			setConnected(false, lost.error);
			return;
		}
		const restored = setConnected(true);
		if (agent.ok)
			renderAgent(agent.data);
		if (status.ok)
			renderStatus(status.data);
		else
			renderStatusError(status);
		if (sources.ok)
			renderSources(sources.data);
		else
			renderSourcesError(sources);
		renderCluster(clustered && cluster.ok ? cluster.data : null);
		if (alarms.ok) {
			renderAlarm(alarms.data.alarm || (agent.ok ? agent.data.alarm : null));
			renderLog(alarms.data);
			newEvents(alarms.data);
		} else {
			renderAlarm(agent.ok ? agent.data.alarm : null);
			renderLogError(alarms);
		}
		state.haveAll = agent.ok && status.ok && sources.ok && alarms.ok;
		announce((restored ? 'Connection to the agent restored. ' : '') + summary());
		markLoaded();
	}

	/* A new alarm event redraws the history at once rather than within 30 s, so its strip
	 * shows up together with the alarm. */
	function newEvents(doc) {
		const ev = Array.isArray(doc.events) ? doc.events : [];
		const seq = ev.reduce((m, e) => (isNum(e.seq) && e.seq > m ? e.seq : m), 0);
		if (state.lastSeq !== null && seq !== state.lastSeq && state.historyOk)
			historyLoop();
		state.lastSeq = seq;
	}

	function markLoaded() {
		if (state.haveAll && state.historyOk && document.body.dataset.loaded !== '1')
			document.body.dataset.loaded = '1';
	}

	async function pollLoop() {
		try {
			await refresh();
		} catch (e) {
			console.error('clockwatch: refresh failed:', e);
		} finally {
			state.updated += 1;
			document.body.dataset.updated = String(state.updated);
			setTimeout(pollLoop, POLL_MS);
		}
	}

	/* ---------- history charts ---------- */

	function num(v) {
		return isNum(v) ? v : null;
	}

	/* clockwatch.history/1 -> uPlot columns. Absent buckets stay gaps: where two points are
	 * further apart than 2.5 buckets (or check intervals), a null point breaks the line. */
	function historyColumns(h) {
		const pts = Array.isArray(h.points) ? h.points : [];
		const step = isNum(h.step_s) && h.step_s > 0 ? h.step_s : 1;
		const gap = 2.5 * Math.max(step, state.intervalS || 0);
		const c = { x: [], off: [], omin: [], omax: [], jit: [], rd: [], sev: [], step: step };
		let prev = null;
		for (const p of pts) {
			const t = isNum(p.time_ns) ? p.time_ns / 1e9 : Date.parse(p.time) / 1000;
			if (!isNum(t) || (prev !== null && t <= prev))
				continue;
			if (prev !== null && t - prev > gap) {
				c.x.push(prev + step);
				for (const k of ['off', 'omin', 'omax', 'jit', 'rd', 'sev'])
					c[k].push(null);
			}
			c.x.push(t);
			c.off.push(num(p.offset_s));
			c.omin.push(num(p.offset_min_s));
			c.omax.push(num(p.offset_max_s));
			c.jit.push(num(p.jitter_s));
			c.rd.push(num(p.root_distance_s));
			c.sev.push(num(p.severity_max));
			prev = t;
		}
		return c;
	}

	function chartHeight() {
		return window.matchMedia('(max-width: 600px)').matches ? 150 : 180;
	}

	/* Severity strip along the bottom of the plot area: one rectangle per bucket with an alarm. */
	function drawSeverity(u, chart) {
		const sev = chart.sev;
		if (!sev || !sev.length)
			return;
		const ctx = u.ctx;
		const b = u.bbox;
		const h = Math.round(5 * uPlot.pxRatio);
		ctx.save();
		ctx.beginPath();
		ctx.rect(b.left, b.top, b.width, b.height);
		ctx.clip();
		const xs = u.data[0];
		for (let i = 0; i < xs.length; i++) {
			const fill = SEV_FILL[sev[i]];
			if (!fill)
				continue;
			const x0 = u.valToPos(xs[i], 'x', true);
			/* to the next point (a gap has its own null point), so the strip is solid */
			const end = i + 1 < xs.length ? xs[i + 1] : xs[i] + chart.step;
			const x1 = u.valToPos(end, 'x', true);
			ctx.fillStyle = fill;
			ctx.fillRect(x0, b.top + b.height - h, Math.max(1, x1 - x0), h);
		}
		ctx.restore();
	}

	function makeChart(id, series, opts) {
		const el = $(id);
		const chart = { el: el, u: null, sev: [], step: 1, xRange: null, label: opts.label };
		const yRange = opts.nonNegative ?
		    (u, min, max) => [0, isNum(max) && max > 0 ? max * 1.15 : 1e-6] :
		    (u, min, max) => {
			    if (!isNum(min) || !isNum(max))
				    return [-1e-6, 1e-6];
			    if (min === max) {
				    const d = Math.abs(min) * 0.1 || 1e-6;
				    return [min - d, max + d];
			    }
			    const pad = (max - min) * 0.1;
			    return [min - pad, max + pad];
		    };
		const uopts = {
			width: Math.max(200, el.clientWidth),
			height: chartHeight(),
			tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
			cursor: { drag: { x: false, y: false, setScale: false } },
			legend: { show: true, live: true },
			scales: {
				x: {
					time: true,
					range: (u, min, max) => chart.xRange || [min, max]
				},
				y: { range: yRange }
			},
			axes: [
				{
					stroke: '#374151',
					values: fmtTimeAxis,
					grid: { stroke: '#e5e7eb', width: 1 },
					ticks: { stroke: '#d1d5db', width: 1 }
				},
				{
					stroke: '#374151',
					/* wide enough for the longest label ("15.000013 s") */
					size: (u, values) => 16 + 7.5 * Math.max(4, ...(values || []).map((v) => String(v).length)),
					values: (u, splits) => fmtAxis(splits),
					grid: { stroke: '#e5e7eb', width: 1 },
					ticks: { stroke: '#d1d5db', width: 1 }
				}
			],
			series: [{ label: 'UTC', value: (u, ts) => fmtTs(ts) }].concat(series),
			bands: opts.bands,
			hooks: { draw: [(u) => drawSeverity(u, chart)] }
		};
		const empty = [[]].concat(series.map(() => []));
		chart.u = new uPlot(uopts, empty, el);
		if (window.ResizeObserver) {
			let last = 0;
			new ResizeObserver(() => {
				const w = Math.max(200, el.clientWidth);
				if (w !== last) {
					last = w;
					chart.u.setSize({ width: w, height: chartHeight() });
				}
			}).observe(el);
		}
		return chart;
	}

	/* Points with no neighbour (a lone check between gaps) draw no line: show them as dots.
	 * Where uPlot shows every point anyway (sparse data), it needs no list. */
	function isolatedPoints(u, si, show) {
		if (show)
			return null;
		const ys = u.data[si];
		const idx = [];
		for (let i = 0; i < ys.length; i++) {
			if (ys[i] !== null && (i === 0 || ys[i - 1] === null) &&
			    (i === ys.length - 1 || ys[i + 1] === null))
				idx.push(i);
		}
		return idx.length ? idx : null;
	}

	function lineSeries(label, stroke, extra) {
		return Object.assign({
			label: label,
			stroke: stroke,
			width: 1.5,
			spanGaps: false,
			points: { size: 5, filter: isolatedPoints },
			value: (u, v) => fmtSec(v, label === 'Offset')
		}, extra || {});
	}

	function setupCharts() {
		if (typeof uPlot === 'undefined') {
			showHistoryMsg('Charts unavailable: the chart library did not load.');
			return null;
		}
		return {
			/* min and max first, so the mean is drawn over them */
			offset: makeChart('chart-offset', [
				lineSeries('Min', '#93c5fd', { width: 1, value: (u, v) => fmtSec(v, true) }),
				lineSeries('Max', '#93c5fd', { width: 1, value: (u, v) => fmtSec(v, true) }),
				lineSeries('Offset', '#1d4ed8')
			], { label: 'Offset', bands: [{ series: [2, 1], fill: 'rgba(59, 130, 246, 0.12)' }] }),
			jitter: makeChart('chart-jitter', [lineSeries('Jitter', '#7c3aed')],
			    { label: 'Jitter', nonNegative: true }),
			rootdist: makeChart('chart-rootdist', [lineSeries('Root distance', '#0f766e')],
			    { label: 'Root distance', nonNegative: true })
		};
	}

	function showHistoryMsg(text) {
		const msg = $('history-msg');
		msg.hidden = !text;
		msg.textContent = text || '';
	}

	function rangeWords() {
		return state.rangeS === 3600 ? 'last hour' : 'last day';
	}

	/* A text alternative for the canvas: range, count, latest, min and max. */
	function describe(chart, ys, signed) {
		const vals = ys.filter(isNum);
		let text = chart.label + ', ' + rangeWords() + ': ';
		if (!vals.length) {
			text += 'no data.';
		} else {
			text += vals.length + ' points; latest ' + fmtSec(vals[vals.length - 1], signed) +
			    ', lowest ' + fmtSec(Math.min.apply(null, vals), signed) +
			    ', highest ' + fmtSec(Math.max.apply(null, vals), signed) + '.';
		}
		chart.el.setAttribute('aria-label', text);
	}

	function feed(chart, xs, ys, c, from, to) {
		chart.sev = c.sev;
		chart.step = c.step;
		chart.xRange = isNum(from) && isNum(to) && to > from ? [from, to] : null;
		chart.u.setData([xs].concat(ys), true);
	}

	function renderHistory(h) {
		const charts = state.charts;
		if (!charts)
			return;
		const c = historyColumns(h);
		const from = isNum(h.from_ns) ? h.from_ns / 1e9 : Date.parse(h.from) / 1000;
		const to = isNum(h.to_ns) ? h.to_ns / 1e9 : Date.parse(h.to) / 1000;
		feed(charts.offset, c.x, [c.omin, c.omax, c.off], c, from, to);
		feed(charts.jitter, c.x, [c.jit], c, from, to);
		feed(charts.rootdist, c.x, [c.rd], c, from, to);
		describe(charts.offset, c.off, true);
		describe(charts.jitter, c.jit, false);
		describe(charts.rootdist, c.rd, false);
		showHistoryMsg(c.x.length ? '' : 'No checks stored in the ' + rangeWords() + ' yet.');
	}

	async function loadHistory() {
		if (state.historyCtl)
			state.historyCtl.abort();
		const ctl = new AbortController();
		state.historyCtl = ctl;
		const gen = ++state.historyGen;
		const range = state.rangeS;
		const step = Math.max(1, Math.round(range / POINTS));
		const from = range === 3600 ? '-1h' : '-24h';
		const r = await getJSON('api/v1/history?from=' + from + '&to=now&step=' + step,
		    2 * TIMEOUT_MS, ctl);
		if (gen !== state.historyGen || r.cancelled)
			return;
		state.historyCtl = null;
		if (r.ok) {
			renderHistory(r.data);
			state.historyOk = true;
			markLoaded();
		} else if (!r.network) {
			showHistoryMsg('History unavailable: ' + r.error + '.');
		}
	}

	let historyTimer = null;

	async function historyLoop() {
		clearTimeout(historyTimer);
		try {
			await loadHistory();
		} catch (e) {
			console.error('clockwatch: history failed:', e);
		} finally {
			clearTimeout(historyTimer);
			historyTimer = setTimeout(historyLoop, HISTORY_MS);
		}
	}

	/* ---------- start ---------- */

	function start() {
		state.charts = setupCharts();
		for (const input of document.querySelectorAll('input[name="range"]')) {
			if (input.checked)    /* a reload may have restored the other choice */
				state.rangeS = Number(input.value) === 86400 ? 86400 : 3600;
			input.addEventListener('change', () => {
				if (!input.checked)
					return;
				state.rangeS = Number(input.value) === 86400 ? 86400 : 3600;
				historyLoop();
			});
		}
		/* The first history request waits for the first poll, which brings interval_s. */
		pollLoop().then(() => historyLoop());
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', start);
	else
		start();
})();
