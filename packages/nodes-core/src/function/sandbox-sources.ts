/**
 * The code of the function node's sandbox, as plain JavaScript strings: the worker is started with
 * `eval: true`, which works the same under vitest, tsx and any bundle (a `.ts` worker file would
 * need a loader in the worker). Both strings avoid backticks so they can live in String.raw.
 *
 * Two realms live in the worker:
 * - the worker's own realm ("host"), which has `process`, `require` and friends and runs
 *   WORKER_SOURCE;
 * - one `vm` context per function node ("sandbox"), created from a null-prototype object so that no
 *   property lookup falls through to the host realm, in which RUNNER_SOURCE and then the user's code
 *   run.
 * Invariant: no host-realm object or function ever reaches user code. Messages, context values and
 * the results of fetch and fs cross by deep copy made with sandbox-realm constructors; the runner
 * captures every builtin it uses before user code runs, so user code that patches prototypes can
 * break only its own node. The one host function the runner holds, the bridge (timers, fetch,
 * fs), stays in its closure, takes and returns primitives only and never throws; import() rejects
 * with a sandbox-realm error (the worker runs with --experimental-vm-modules for that).
 */

/**
 * Evaluated in each sandbox before any user code. Returns a factory
 * `(specJson, codeFn, setupFn, bridge) => runner` with
 * - `run(hostMsg)`, `runFlat(keys, values, offset)` (a message sent flattened: its keys and its
 *   values from `values[offset]` on, see flat-messages.ts) and `setup()` →
 *   `[status, value, effects]`, where status is 0 (no output),
 *   1 (one message for the first output: value), 2 (value is one entry per output: null or an
 *   array of messages), 3 (failure: value is `{code, message, line, column}`), 4 (the run went
 *   async: value is its run id; the host drains the context's microtasks and calls `leave()`);
 * - `leave()` → a record, 4 while the run still waits on its result, timers or requests;
 *   `enter(runId)` (false once the run ended), then `fire(timerId)` or
 *   `deliver(requestId, ok, hostValue)`, a drain and `leave()` to continue a waiting run;
 *   `abort(runId, message)` → its FUNCTION_TIMEOUT record (null if it had ended);
 * - `mirror(kind, key, hostValue, flag)` to update the node's copy of a context store
 *   (flag 0 set, 1 delete, 2 unavailable with hostValue as the reason).
 * Effects are `null` or `{logs, statuses, writes, errors, sends}` (each null or an array).
 * `bridge(op, runId, id, a, b)` is the host: op 0 run ended, 1 set timer id (a ms, b 1 to
 * repeat), 2 clear timer id, 3 fetch (a: request JSON), 4 fs (a: request JSON); it answers 0, or
 * -1 when it could not.
 */
export const RUNNER_SOURCE = String.raw`(function () {
'use strict';
const G = globalThis;
// Its cleanup callbacks would run user code later, between jobs, where the watchdog cannot
// attribute a hang. Deleting the global binding leaves no way to reach the constructor.
delete G.FinalizationRegistry;
const ObjectCtor = Object, MapCtor = Map, SetCtor = Set, DateCtor = Date, RegExpCtor = RegExp;
const ErrorCtor = Error, TypeErrorCtor = TypeError, StringCtor = String, Uint8 = Uint8Array, DataViewCtor = DataView;
const keys = Object.keys, isArray = Array.isArray, defineProperty = Object.defineProperty;
const getOwnDescriptor = Object.getOwnPropertyDescriptor, getPrototypeOf = Object.getPrototypeOf;
const uncurry = Function.prototype.bind.bind(Function.prototype.call);
const tagOf = uncurry(Object.prototype.toString);
const dateTime = uncurry(Date.prototype.getTime);
const isView = ArrayBuffer.isView;
const typedBuffer = uncurry(getOwnDescriptor(getPrototypeOf(Uint8Array.prototype), 'buffer').get);
const viewBuffer = uncurry(getOwnDescriptor(DataView.prototype, 'buffer').get);
const viewOffset = uncurry(getOwnDescriptor(DataView.prototype, 'byteOffset').get);
const viewLength = uncurry(getOwnDescriptor(DataView.prototype, 'byteLength').get);
const mapForEach = uncurry(Map.prototype.forEach), mapSet = uncurry(Map.prototype.set);
const mapGet = uncurry(Map.prototype.get), mapHas = uncurry(Map.prototype.has), mapDelete = uncurry(Map.prototype.delete);
const setForEach = uncurry(Set.prototype.forEach), setAdd = uncurry(Set.prototype.add);
const push = uncurry(Array.prototype.push), join = uncurry(Array.prototype.join), slice = uncurry(Array.prototype.slice);
const regexExec = uncurry(RegExp.prototype.exec);
const hasOwn = uncurry(Object.prototype.hasOwnProperty);
const numberValue = uncurry(Number.prototype.valueOf), stringValue = uncurry(String.prototype.valueOf);
const booleanValue = uncurry(Boolean.prototype.valueOf);
const stringify = JSON.stringify, parse = JSON.parse;
const PromiseCtor = Promise, promiseThen = uncurry(Promise.prototype.then), apply = Reflect.apply;
const mapSize = uncurry(getOwnDescriptor(Map.prototype, 'size').get);
const typedLength = uncurry(getOwnDescriptor(getPrototypeOf(Uint8Array.prototype), 'length').get);
const fromCharCode = String.fromCharCode, toLower = uncurry(String.prototype.toLowerCase);
// A name that exists only with a capability: a ReferenceError for it says which capability.
const MISSING = /^ReferenceError: (fetch|fs) is not defined$/;
const CAPABILITY_OF = { __proto__: null, fetch: 'network', fs: 'filesystem' };
let nodeLabel = '';
const FRAME = /function-(code|setup):(\d+):(\d+)/;
const MAX_DEPTH = 100;
const TYPED = { __proto__: null,
  '[object Uint8Array]': Uint8Array, '[object Uint8ClampedArray]': Uint8ClampedArray, '[object Int8Array]': Int8Array,
  '[object Uint16Array]': Uint16Array, '[object Int16Array]': Int16Array, '[object Uint32Array]': Uint32Array,
  '[object Int32Array]': Int32Array, '[object Float32Array]': Float32Array, '[object Float64Array]': Float64Array,
  '[object BigInt64Array]': BigInt64Array, '[object BigUint64Array]': BigUint64Array };
const INVALID = { __proto__: null };
const UNAVAILABLE = { __proto__: null };
const pathKeys = [];

function invalid(message) { return { __proto__: null, tag: INVALID, message: message }; }
function isInvalid(e) { return typeof e === 'object' && e !== null && getPrototypeOf(e) === null && e.tag === INVALID; }
function pathText(root, depth) {
  let text = root;
  for (let i = 0; i < depth; i++) {
    const k = pathKeys[i];
    text += typeof k === 'number' ? '[' + k + ']' : (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? '.' + k : '[' + stringify(k) + ']');
  }
  return text;
}

// Deep copy into this realm. Used for host values (structured-clone output: plain data) and for
// user values (anything). Only captured builtins touch its argument, so a host object is never
// handed to a function user code could have replaced.
function copy(v, d, root) {
  const t = typeof v;
  if (t !== 'object' || v === null) {
    if (t === 'function') throw invalid(pathText(root, d) + ' is a function');
    if (t === 'symbol') throw invalid(pathText(root, d) + ' is a symbol');
    return v;
  }
  if (d >= MAX_DEPTH) throw invalid(pathText(root, d) + ' is nested more than ' + MAX_DEPTH + ' levels deep (a circular reference?)');
  if (isArray(v)) {
    const n = v.length, out = [];
    for (let i = 0; i < n; i++) { pathKeys[d] = i; out[i] = copy(v[i], d + 1, root); }
    return out;
  }
  const tag = tagOf(v);
  if (tag !== '[object Object]') {
    switch (tag) {
      case '[object Date]': return new DateCtor(dateTime(v));
      case '[object RegExp]': return new RegExpCtor(StringCtor(v.source), StringCtor(v.flags));
      case '[object Map]': {
        const out = new MapCtor();
        mapForEach(v, function (value, key) { mapSet(out, copy(key, d + 1, root), copy(value, d + 1, root)); });
        return out;
      }
      case '[object Set]': {
        const out = new SetCtor();
        setForEach(v, function (value) { setAdd(out, copy(value, d + 1, root)); });
        return out;
      }
      case '[object ArrayBuffer]': return typedBuffer(new Uint8(new Uint8(v)));
      case '[object DataView]': return new DataViewCtor(typedBuffer(new Uint8(new Uint8(viewBuffer(v), viewOffset(v), viewLength(v)))));
      case '[object Number]': return numberValue(v);
      case '[object String]': return stringValue(v);
      case '[object Boolean]': return booleanValue(v);
      case '[object Error]': {
        const e = new ErrorCtor(StringCtor(v.message));
        if (typeof v.name === 'string') e.name = v.name;
        return e;
      }
      case '[object Promise]': throw invalid(pathText(root, d) + ' is a Promise (await it before returning or sending it)');
      case '[object WeakMap]': case '[object WeakSet]': case '[object WeakRef]':
        throw invalid(pathText(root, d) + ' is a ' + tag.slice(8, -1) + ', which cannot be copied');
      default: {
        const Typed = TYPED[tag];
        if (Typed !== undefined && isView(v)) return new Typed(v);
      }
    }
  }
  const out = {};
  const ks = keys(v);
  for (let i = 0; i < ks.length; i++) {
    const k = ks[i];
    pathKeys[d] = k;
    const c = copy(v[k], d + 1, root);
    if (k === '__proto__') defineProperty(out, k, { __proto__: null, value: c, writable: true, enumerable: true, configurable: true });
    else out[k] = c;
  }
  return out;
}

function copyMessage(m, root) {
  if (typeof m !== 'object' || m === null || isArray(m) || tagOf(m) !== '[object Object]') {
    throw invalid(root + ' is ' + describe(m) + ', not a message object like { payload: 1 }');
  }
  if (typeof m.then === 'function') throw invalid(root + ' is a Promise (await it before returning or sending it)');
  return copy(m, 0, root);
}

function describe(v) {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (isArray(v)) return 'an array';
  const t = typeof v;
  if (t === 'object') return 'a ' + tagOf(v).slice(8, -1);
  return 'a ' + t;
}

function text(v) {
  if (typeof v === 'string') return v;
  try {
    if (typeof v === 'object' && v !== null && tagOf(v) === '[object Error]') return StringCtor(v.name) + ': ' + StringCtor(v.message);
    const json = stringify(v);
    return json === undefined ? StringCtor(v) : json;
  } catch (e) {
    try { return StringCtor(v); } catch (e2) { return '[value that cannot be printed]'; }
  }
}

function failure(code, message, line, column) {
  return { code: code, message: message, line: line, column: column };
}

function fromThrown(e) {
  if (isInvalid(e)) return failure('FUNCTION_RESULT_INVALID', e.message, 0, 0);
  let message = 'user code threw a value that could not be read', line = 0, column = 0;
  try {
    if (typeof e === 'object' && e !== null) {
      const name = typeof e.name === 'string' && e.name !== '' ? e.name : 'Error';
      message = name + ': ' + StringCtor(e.message);
      const missing = regexExec(MISSING, message);
      if (missing !== null) {
        message += ' (function node ' + nodeLabel + ' does not have the "' + CAPABILITY_OF[missing[1]] + '" capability; add it to the node\'s capabilities)';
      }
      const stack = e.stack;
      if (typeof stack === 'string') {
        const m = regexExec(FRAME, stack);
        if (m !== null) { line = +m[2]; column = +m[3]; }
      }
    } else {
      message = StringCtor(e);
    }
  } catch (ignored) { /* the message above says so */ }
  return failure('FUNCTION_FAILED', message, line, column);
}

return function factory(specJson, codeFn, setupFn, bridge) {
  const spec = JSON.parse(specJson);
  const outputs = spec.outputs;
  const granted = spec.capabilities;
  const envValues = spec.env;
  const hinted = spec.asyncHints === true;
  const mirrors = { __proto__: null, node: new MapCtor(), flow: new MapCtor(), global: new MapCtor() };
  nodeLabel = stringify(spec.nodeId);
  let fx = null;

  // Async runs. A run that goes async (a promise result, a timer, a request) gets a record here;
  // cur is the run user code is running for right now. The host enters a run (enter), runs a
  // timer or delivers a request's result, drains this context's microtasks and leaves it
  // (leave), so every promise reaction runs while its own run is current: the context's
  // microtask queue is drained only by the host, right after each entry.
  const runs = new MapCtor();
  const timerRuns = new MapCtor();
  let cur = null;
  let nextRun = 1, nextTimer = 1, nextRequest = 1;

  function ensureRun() {
    if (cur === null) {
      cur = { __proto__: null, id: nextRun++, kind: 0, fx: null, timers: null, pending: null, requests: 0,
        settled: false, value: undefined, failed: false, error: undefined, done: false };
      mapSet(runs, cur.id, cur);
    }
    return cur;
  }
  function failRun(R, e) {
    if (!R.failed) { R.failed = true; R.error = e; }
  }
  // Only primitives cross to the host, and nothing the host throws is ever seen by user code.
  function callHost(op, runId, id, a, b) {
    let r = -1;
    try { r = bridge(op, runId, id, a, b); } catch (ignored) { r = -1; }
    if (r !== 0) throw new ErrorCtor('the sandbox could not start this operation');
  }
  function finish(R, rec) {
    mapDelete(runs, R.id);
    if (R.timers !== null) mapForEach(R.timers, function (t, id) { mapDelete(timerRuns, id); });
    R.timers = null;
    R.pending = null;
    // Tells the host to clear the run's timers and abort its requests.
    try { bridge(0, R.id, 0, 0, 0); } catch (ignored) { /* nothing to undo */ }
    return rec;
  }
  function isThenable(v) {
    return typeof v === 'object' && v !== null && typeof v.then === 'function';
  }
  // The sync part of a run is over and something is still to come: a promise result, timers,
  // requests, or promise reactions (hinted code). The host drains and then calls leave().
  function goAsync(result, kind, thenable) {
    const R = ensureRun();
    R.kind = kind;
    if (thenable) {
      promiseThen(new PromiseCtor(function (resolve) { resolve(result); }), function (v) { R.settled = true; R.value = v; }, function (e) { failRun(R, e); });
    } else {
      R.settled = true;
      R.value = result;
    }
    return [4, R.id, null];
  }
  function failNow(e) {
    const rec = [3, fromThrown(e), fx];
    if (cur !== null) { const R = cur; cur = null; finish(R, null); }
    return rec;
  }
  // The record of a run, or [4, id, null] while it waits for its result, timers or requests.
  function settle(R) {
    if (R.failed) return finish(R, [3, fromThrown(R.error), R.fx]);
    if (!R.done && (!R.settled || R.requests > 0 || (R.timers !== null && mapSize(R.timers) > 0))) return [4, R.id, null];
    if (R.kind === 1) return finish(R, [0, null, R.fx]);
    try {
      const r = normalize(R.value, 'the returned value');
      return finish(R, [r[0], r[1], R.fx]);
    } catch (e) { return finish(R, [3, fromThrown(e), R.fx]); }
  }

  function addTimer(fn, ms, args, repeat) {
    if (typeof fn !== 'function') throw new TypeErrorCtor((repeat ? 'setInterval' : 'setTimeout') + ': the callback must be a function');
    const R = ensureRun();
    if (R.timers === null) R.timers = new MapCtor();
    const id = nextTimer++;
    mapSet(R.timers, id, { __proto__: null, fn: fn, args: args, repeat: repeat });
    mapSet(timerRuns, id, R);
    let delay = +ms;
    if (!(delay >= 0)) delay = 0;
    callHost(1, R.id, id, delay, repeat ? 1 : 0);
    return id;
  }
  function clearTimer(id) {
    const R = mapGet(timerRuns, id);
    if (R === undefined) return;
    mapDelete(timerRuns, id);
    if (R.timers !== null) mapDelete(R.timers, id);
    callHost(2, R.id, id, 0, 0);
  }

  function request(op, payload, kind) {
    const R = ensureRun();
    const id = nextRequest++;
    let resolveFn, rejectFn;
    const p = new PromiseCtor(function (resolve, reject) { resolveFn = resolve; rejectFn = reject; });
    if (R.pending === null) R.pending = new MapCtor();
    mapSet(R.pending, id, { __proto__: null, resolve: resolveFn, reject: rejectFn, kind: kind });
    R.requests++;
    callHost(op, R.id, id, payload, 0);
    return p;
  }
  // A body or file content: a string, or a Uint8Array sent as a string of bytes.
  function bytesOrText(v, where) {
    if (typeof v === 'string') return [v, 0];
    if (typeof v === 'object' && v !== null && tagOf(v) === '[object Uint8Array]') {
      const u = new Uint8(v);
      const n = typedLength(u);
      let s = '';
      for (let i = 0; i < n; i++) s += fromCharCode(u[i]);
      return [s, 1];
    }
    throw new TypeErrorCtor(where + ': the data must be a string or a Uint8Array');
  }
  function pathArg(p, where) {
    if (typeof p !== 'string') throw new TypeErrorCtor(where + ': the path must be a string');
    return p;
  }
  function resolved(v) { return new PromiseCtor(function (resolve) { resolve(v); }); }
  // A fetch Response, built in this realm from the host's plain answer.
  function response(h) {
    const body = new Uint8(h.body);
    const text = StringCtor(h.text);
    const headers = new MapCtor();
    for (let i = 0; i < h.headers.length; i++) mapSet(headers, toLower(StringCtor(h.headers[i][0])), StringCtor(h.headers[i][1]));
    const status = +h.status;
    return {
      ok: status >= 200 && status < 300, status: status, statusText: StringCtor(h.statusText), url: StringCtor(h.url), redirected: h.redirected === true,
      headers: {
        get: function (name) { const v = mapGet(headers, toLower(StringCtor(name))); return v === undefined ? null : v; },
        has: function (name) { return mapHas(headers, toLower(StringCtor(name))); },
        forEach: function (cb) { mapForEach(headers, function (v, k) { cb(v, k); }); },
      },
      text: function () { return resolved(text); },
      json: function () { return new PromiseCtor(function (resolve) { resolve(parse(text)); }); },
      bytes: function () { return resolved(new Uint8(body)); },
      arrayBuffer: function () { return resolved(typedBuffer(new Uint8(body))); },
    };
  }

  function effects() {
    if (fx === null) fx = { logs: null, statuses: null, writes: null, errors: null, sends: null };
    return fx;
  }
  function addLog(level, message) {
    const f = effects();
    if (f.logs === null) f.logs = [];
    push(f.logs, [level, message]);
  }
  function notGranted(what, capability) {
    return new ErrorCtor(what + ' is not available in function node ' + nodeLabel + ': grant the "' + capability + '" capability in the node\'s config (capabilities)');
  }

  // Normalizes what user code returns or passes to node.send: [status, value]. root names the
  // value in errors; a single message is called msg, entries of an array result[i].
  function normalize(result, root) {
    if (result === undefined || result === null) return [0, null];
    if (isArray(result)) {
      if (result.length > outputs) {
        throw invalid(root + ' is an array of ' + result.length + ' but the node has ' + outputs + ' output' + (outputs === 1 ? '' : 's') +
          ' (one entry per output; to send several messages on one output use [[msg1, msg2]])');
      }
      const ports = [];
      for (let i = 0; i < result.length; i++) {
        const entry = result[i];
        if (entry === undefined || entry === null) { ports[i] = null; continue; }
        if (isArray(entry)) {
          const list = [];
          for (let j = 0; j < entry.length; j++) {
            if (entry[j] !== undefined && entry[j] !== null) push(list, copyMessage(entry[j], 'result[' + i + '][' + j + ']'));
          }
          ports[i] = list.length > 0 ? list : null;
        } else {
          ports[i] = [copyMessage(entry, 'result[' + i + ']')];
        }
      }
      return [2, ports];
    }
    if (typeof result === 'object') return [1, copyMessage(result, 'msg')];
    throw invalid(root + ' is ' + describe(result) + '; return a message object, an array with one entry per output, or null');
  }

  function store(kind, label) {
    const m = mirrors[kind];
    const available = spec.stores[kind];
    function need() {
      if (!available) throw new ErrorCtor(label + ' context is not available here: name it in the code as ' + label + '.get(...) so the node loads it');
    }
    function getOne(key) {
      if (typeof key !== 'string') throw new TypeErrorCtor(label + '.get: the key must be a string');
      const v = mapGet(m, key);
      if (v === UNAVAILABLE || (typeof v === 'object' && v !== null && getPrototypeOf(v) === null && v.unavailable === UNAVAILABLE)) {
        throw new ErrorCtor(label + '.get("' + key + '"): the value cannot be read in a function node (' + v.reason + ')');
      }
      return typeof v === 'object' && v !== null ? copy(v, 0, label) : v;
    }
    function setOne(key, value) {
      if (typeof key !== 'string') throw new TypeErrorCtor(label + '.set: the key must be a string');
      const f = effects();
      if (f.writes === null) f.writes = [];
      if (value === undefined) {
        mapDelete(m, key);
        push(f.writes, [kind, key, null, true]);
        return;
      }
      let c;
      try { c = copy(value, 0, label + '.set("' + key + '", value): value'); } catch (e) {
        if (isInvalid(e)) throw new TypeErrorCtor(e.message);
        throw e;
      }
      mapSet(m, key, c);
      push(f.writes, [kind, key, c, false]);
    }
    function callbackOf(a, b) { return typeof a === 'function' ? a : (typeof b === 'function' ? b : null); }
    const api = {
      get: function (key, storeOrCallback, callback) {
        need();
        let value;
        if (isArray(key)) { value = []; for (let i = 0; i < key.length; i++) value[i] = getOne(key[i]); }
        else value = getOne(key);
        const cb = callbackOf(storeOrCallback, callback);
        if (cb !== null) { cb(undefined, value); return undefined; }
        return value;
      },
      set: function (key, value, storeOrCallback, callback) {
        need();
        if (isArray(key)) {
          for (let i = 0; i < key.length; i++) setOne(key[i], isArray(value) ? value[i] : undefined);
        } else setOne(key, value);
        const cb = callbackOf(storeOrCallback, callback);
        if (cb !== null) cb(undefined);
      },
      keys: function (storeOrCallback, callback) {
        need();
        const out = [];
        mapForEach(m, function (v, k) { push(out, k); });
        const cb = callbackOf(storeOrCallback, callback);
        if (cb !== null) { cb(undefined, out); return undefined; }
        return out;
      },
    };
    return api;
  }

  const flowApi = store('flow', 'flow');
  const globalApi = store('global', 'global');
  const contextApi = store('node', 'context');
  contextApi.flow = flowApi;
  contextApi.global = globalApi;

  function log(level) {
    return function () {
      const parts = [];
      for (let i = 0; i < arguments.length; i++) push(parts, text(arguments[i]));
      addLog(level, join(parts, ' '));
    };
  }
  const node = {
    id: spec.nodeId,
    name: spec.nodeName,
    type: 'function',
    outputCount: outputs,
    log: log('info'), warn: log('warn'), debug: log('debug'), trace: log('debug'),
    error: function (err, msg) {
      const f = effects();
      if (f.errors === null) f.errors = [];
      let m = null;
      if (msg !== undefined && msg !== null) {
        try { m = copyMessage(msg, 'node.error(err, msg): msg'); } catch (e) { if (isInvalid(e)) throw new TypeErrorCtor(e.message); throw e; }
      }
      push(f.errors, [text(err), m]);
    },
    status: function (s) {
      const f = effects();
      if (f.statuses === null) f.statuses = [];
      let status = null;
      if (typeof s === 'string') status = { text: s };
      else if (typeof s === 'object' && s !== null && keys(s).length > 0) {
        status = {};
        if (s.fill === 'green' || s.fill === 'yellow' || s.fill === 'red' || s.fill === 'blue' || s.fill === 'grey') status.fill = s.fill;
        if (s.shape === 'dot' || s.shape === 'ring') status.shape = s.shape;
        if (s.text !== undefined && s.text !== null) status.text = text(s.text);
      }
      push(f.statuses, status);
    },
    send: function (msgs) {
      let r;
      try { r = normalize(msgs, 'node.send(msg): msg'); } catch (e) { if (isInvalid(e)) throw new TypeErrorCtor(e.message); throw e; }
      if (r[0] === 0) return;
      const f = effects();
      if (f.sends === null) f.sends = [];
      if (r[0] === 1) push(f.sends, [0, r[1]]);
      else for (let i = 0; i < r[1].length; i++) {
        const list = r[1][i];
        if (list !== null) for (let j = 0; j < list.length; j++) push(f.sends, [i, list[j]]);
      }
    },
    done: function () { if (cur !== null) cur.done = true; },
    on: function (event) { throw new ErrorCtor('node.on("' + event + '") is not supported in a function node'); },
  };
  const envApi = {
    get: function (name) {
      if (!granted.env) throw notGranted('env.get', 'env');
      if (typeof name !== 'string') throw new TypeErrorCtor('env.get: the name must be a string');
      if (!hasOwn(envValues, name)) {
        throw new ErrorCtor('env.get("' + name + '"): only names written as a literal, like env.get("' + name + '"), are available');
      }
      return envValues[name] === null ? undefined : envValues[name];
    },
  };
  function consoleMethod(level) {
    const write = log(level);
    return function () {
      if (!granted.console) throw notGranted('console', 'console');
      write.apply(undefined, arguments);
    };
  }
  G.node = node;
  G.context = contextApi;
  G.flow = flowApi;
  G.global = globalApi;
  G.env = envApi;
  G.RED = { util: { cloneMessage: function (m) { return copy(m, 0, 'RED.util.cloneMessage(msg): msg'); } } };
  G.console = { log: consoleMethod('info'), info: consoleMethod('info'), warn: consoleMethod('warn'), error: consoleMethod('error'), debug: consoleMethod('debug'), trace: consoleMethod('debug') };
  G.setTimeout = function setTimeout(fn, ms) { return addTimer(fn, ms, slice(arguments, 2), false); };
  G.setInterval = function setInterval(fn, ms) { return addTimer(fn, ms, slice(arguments, 2), true); };
  G.clearTimeout = function clearTimeout(id) { clearTimer(id); };
  G.clearInterval = function clearInterval(id) { clearTimer(id); };
  // Without their capability these names do not exist at all (typeof fetch === 'undefined').
  if (granted.network) {
    G.fetch = function fetch(resource, init) {
      const req = { url: StringCtor(resource), method: 'GET', headers: [], body: null, binary: 0 };
      if (init !== undefined && init !== null) {
        if (init.method !== undefined) req.method = StringCtor(init.method);
        const h = init.headers;
        if (h !== undefined && h !== null) {
          const ks = keys(h);
          for (let i = 0; i < ks.length; i++) push(req.headers, [StringCtor(ks[i]), StringCtor(h[ks[i]])]);
        }
        if (init.body !== undefined && init.body !== null) {
          const b = bytesOrText(init.body, 'fetch');
          req.body = b[0];
          req.binary = b[1];
        }
      }
      return request(3, stringify(req), 'fetch');
    };
  }
  if (granted.filesystem) {
    const encodingOf = function (e) {
      if (e === undefined) return 'utf8';
      if (e === null) return null;
      if (typeof e === 'object') return e.encoding === undefined ? 'utf8' : e.encoding === null ? null : StringCtor(e.encoding);
      return StringCtor(e);
    };
    const write = function (op, path, data) {
      const b = bytesOrText(data, 'fs.' + op + 'File');
      return request(4, stringify({ op: op, path: pathArg(path, 'fs.' + op + 'File'), data: b[0], binary: b[1] }), 'fs');
    };
    G.fs = {
      readFile: function (path, encoding) { return request(4, stringify({ op: 'read', path: pathArg(path, 'fs.readFile'), encoding: encodingOf(encoding) }), 'fs'); },
      writeFile: function (path, data) { return write('write', path, data); },
      appendFile: function (path, data) { return write('append', path, data); },
      readdir: function (path) { return request(4, stringify({ op: 'list', path: path === undefined ? '.' : pathArg(path, 'fs.readdir') }), 'fs'); },
    };
  }

  function notHanded(e) {
    return [3, failure('FUNCTION_FAILED', 'the message could not be handed to user code: ' + (isInvalid(e) ? e.message : text(e)), 0, 0), null];
  }
  function runOn(msg) {
    cur = null;
    if (hinted) ensureRun();
    let result, thenable;
    try { result = codeFn(msg); } catch (e) { return failNow(e); }
    try {
      thenable = isThenable(result);
      // The usual case: synchronous code, done when it returns.
      if (cur === null && !thenable) {
        const r = normalize(result, 'the returned value');
        return [r[0], r[1], fx];
      }
    } catch (e) { return failNow(e); }
    return goAsync(result, 0, thenable);
  }

  return {
    run: function (hostMsg) {
      fx = null;
      let msg;
      try { msg = copy(hostMsg, 0, 'msg'); } catch (e) { return notHanded(e); }
      return runOn(msg);
    },
    // The message arrives flattened (see flat-messages.ts): its keys, and its values at
    // values[offset...]. Built the way copy() builds a plain object, one level down.
    runFlat: function (keys, values, offset) {
      fx = null;
      const msg = {};
      try {
        const n = keys.length;
        for (let j = 0; j < n; j++) {
          const k = keys[j];
          pathKeys[0] = k;
          const c = copy(values[offset + j], 1, 'msg');
          if (k === '__proto__') defineProperty(msg, k, { __proto__: null, value: c, writable: true, enumerable: true, configurable: true });
          else msg[k] = c;
        }
      } catch (e) { return notHanded(e); }
      return runOn(msg);
    },
    setup: function () {
      fx = null;
      cur = null;
      if (setupFn === null) return [0, null, null];
      if (hinted) ensureRun();
      let result, thenable;
      try { result = setupFn(); } catch (e) { return failNow(e); }
      try { thenable = isThenable(result); } catch (e) { return failNow(e); }
      if (cur === null && !thenable) return [0, null, fx];
      return goAsync(result, 1, thenable);
    },
    // Called by the host after draining, when run/runFlat/setup answered [4, id, null].
    leave: function () {
      const R = cur;
      cur = null;
      if (R === null) return [3, failure('FUNCTION_FAILED', 'the sandbox lost track of this run', 0, 0), null];
      R.fx = fx;
      fx = null;
      return settle(R);
    },
    // Makes a waiting run current again (false when it has ended); the host then calls fire or
    // deliver, drains, and calls leave.
    enter: function (runId) {
      const R = mapGet(runs, runId);
      if (R === undefined) return false;
      cur = R;
      fx = R.fx;
      return true;
    },
    fire: function (timerId) {
      const R = cur;
      if (R === null || R.timers === null) return;
      const t = mapGet(R.timers, timerId);
      if (t === undefined) return;
      if (!t.repeat) { mapDelete(R.timers, timerId); mapDelete(timerRuns, timerId); }
      try { apply(t.fn, undefined, t.args); } catch (e) { failRun(R, e); }
    },
    deliver: function (requestId, ok, hostValue) {
      const R = cur;
      if (R === null || R.pending === null) return;
      const p = mapGet(R.pending, requestId);
      if (p === undefined) return;
      mapDelete(R.pending, requestId);
      R.requests--;
      if (!ok) { p.reject(new ErrorCtor(StringCtor(hostValue))); return; }
      let value;
      try { value = p.kind === 'fetch' ? response(hostValue) : copy(hostValue, 0, 'result'); } catch (e) {
        p.reject(new ErrorCtor('the result could not be read: ' + (isInvalid(e) ? e.message : text(e))));
        return;
      }
      p.resolve(value);
    },
    // The run's time is up: it ends now with what it did so far.
    abort: function (runId, message) {
      const R = mapGet(runs, runId);
      if (R === undefined) return null;
      return finish(R, [3, failure('FUNCTION_TIMEOUT', StringCtor(message), 0, 0), R.fx]);
    },
    mirror: function (kind, key, hostValue, flag) {
      const m = mirrors[kind];
      if (flag === 1) mapDelete(m, key);
      else if (flag === 2) mapSet(m, key, { __proto__: null, unavailable: UNAVAILABLE, reason: StringCtor(hostValue) });
      else mapSet(m, key, copy(hostValue, 0, kind));
    },
  };
};
})()`;

/**
 * The worker's own code (host realm). Protocol, parent → worker:
 * - `{t: 'add', inst, spec, snapshots}`: create the node's sandbox, compile its code, load its
 *   context stores (`snapshots`: `[storeId, [[key, value, flag]...]]` for stores new to the worker);
 * - `{t: 'remove', inst}`;
 * - `{t: 'batch', seq, basedOn, basedOnLate, deltas, insts, kinds, shapes, values, defs}`: apply
 *   context deltas (`[storeId, key, value, flag]`, skipped for keys this worker wrote in a batch or
 *   a late reply whose results the main thread had not applied yet, i.e. seq > basedOn or
 *   late > basedOnLate), then run the jobs in order. Messages
 *   are flattened (flat-messages.ts): job i's message is `values` from the current position on,
 *   as many as shape `shapes[i]` has keys (`defs`: `[id, keys]` of shapes new to this worker), or,
 *   when `shapes[i]` is -1, the one value there.
 * Worker → parent: `{t: 'done', seq, statuses, shapes, values, defs, effects}`: per job the
 *   runner record's status, and its value flattened the same way (a single message of status 1
 *   by shape, anything else whole, `shapes[i]` -1); `effects` is null or `[index, effects, …]`
 *   for the jobs that had any. Status 4: the job's run went async and is answered by
 *   `{t: 'late', seq, index, late, rec}` (rec a whole runner record; late numbers these replies).
 * Progress (shared Int32Array): [batch seq, job index, running flag, slice], so the main thread's
 * watchdog knows which job is on the CPU (flag 1 a batch's job, 2 a waiting run's continuation;
 * slice numbers continuations) and can attribute a hang or an out-of-memory crash to it.
 */
export const WORKER_SOURCE = String.raw`'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const vm = require('node:vm');
const fsp = require('node:fs/promises');
const { realpathSync } = require('node:fs');
const pathModule = require('node:path');
const progress = new Int32Array(workerData.progress);
const runnerSource = workerData.runnerSource;
// A promise user code leaves rejected and unobserved is its own business, not the worker's.
process.on('unhandledRejection', function () {});
// Evaluating anything in a sandbox drains its microtask queue (microtaskMode 'afterEvaluate'):
// the only way promise reactions of user code run, always right after the host entered a run.
const drainScript = new vm.Script('undefined');
// Counts continuation starts, so the watchdog sees each new slice of CPU time as new.
let slices = 0;
// Numbers the async completions this worker posted, like batch seqs number batches.
let lateSeq = 0;
const MAX_BODY_BYTES = 16 * 1024 * 1024;

// Before a continuation of a waiting run (a batch's jobs set seq and flag once per batch and
// only the index per job: this runs for every message).
function markContinuation(seq, index) {
  Atomics.store(progress, 0, seq);
  Atomics.store(progress, 1, index);
  Atomics.store(progress, 3, ++slices);
  Atomics.store(progress, 2, 2);
}

const instances = new Map();
const stores = new Map();
const KINDS = ['node', 'flow', 'global'];

function storeOf(id) {
  let s = stores.get(id);
  if (s === undefined) { s = { entries: new Map(), users: [] }; stores.set(id, s); }
  return s;
}

function compileFailure(err, what) {
  let message = err && err.message ? String(err.message) : String(err);
  let line = 0, column = 0;
  const stack = err && typeof err.stack === 'string' ? err.stack.split('\n') : [];
  const m = /:(\d+)$/.exec(stack[0] || '');
  if (m) line = +m[1];
  const caret = stack[2] ? stack[2].indexOf('^') : -1;
  if (caret >= 0) column = caret + 1;
  return { code: 'FUNCTION_FAILED', message: 'the ' + what + ' could not be compiled: ' + (err && err.name ? err.name + ': ' : '') + message, line: line, column: column };
}

// A body is compiled as a plain function; one that only compiles as an async function (it uses
// await) is compiled as one. The async wrapper is checked first with the sandbox's own
// AsyncFunction constructor, which parses the body on its own, so a body cannot close the wrapper
// early and run code at compile time.
function compileBody(body, params, filename, context, importer) {
  const options = { parsingContext: context, filename: filename, importModuleDynamically: importer };
  try {
    return vm.compileFunction(body, params, options);
  } catch (plainError) {
    if (!plainError || plainError.name !== 'SyntaxError') throw plainError;
    const AsyncFunction = vm.runInContext('(async function () {}).constructor', context);
    try {
      Reflect.construct(AsyncFunction, params.concat([body]));
    } catch (asyncError) {
      throw /await/.test(String(plainError.message)) ? asyncError : plainError;
    }
    const head = 'return async function (' + params.join(', ') + ') {\n';
    const outer = vm.compileFunction(head + body + '\n}', [], Object.assign({ lineOffset: -1 }, options));
    return outer();
  }
}

function add(m) {
  for (const [id, entries] of m.snapshots) {
    const s = storeOf(id);
    for (const [key, value, flag] of entries) s.entries.set(key, { value: value, flag: flag, seq: 0, late: 0 });
  }
  const spec = m.spec;
  const inst = {
    id: m.inst, runner: null, failure: null, stores: spec.storeIds, outKeys: null, outShape: -1, context: null,
    runs: new Map(), hinted: spec.vm.asyncHints === true, timeoutMs: spec.timeoutMs, allowedHosts: spec.allowedHosts, directory: spec.directory, root: null, rootError: null,
  };
  let SandboxError = Error;
  // Without a callback, import() rejects with an error of the worker's own realm, whose
  // constructor chain reaches the worker's process; this one rejects with the sandbox's Error.
  // The rejection settles a host turn later, so the node's waiting runs are drained once more then.
  const importer = function () {
    setImmediate(function () { for (const runId of [...inst.runs.keys()]) resume(inst, runId, 0, 0, false, null); });
    throw new SandboxError('import() is not available in a function node');
  };
  const context = vm.createContext(Object.create(null), {
    name: 'function node ' + spec.vm.nodeId,
    codeGeneration: { strings: true, wasm: false },
    microtaskMode: 'afterEvaluate',
    importModuleDynamically: importer,
  });
  inst.context = context;
  if (spec.directory !== '') {
    try { inst.root = realpathSync(spec.directory); } catch (err) { inst.rootError = 'the directory ' + JSON.stringify(spec.directory) + ' cannot be used: ' + err.message; }
  }
  let what = 'code';
  try {
    SandboxError = vm.runInContext('Error', context);
    const codeFn = compileBody(spec.code, ['msg'], 'function-code', context, importer);
    what = 'setup code';
    const setupFn = spec.setup ? compileBody(spec.setup, [], 'function-setup', context, importer) : null;
    what = 'sandbox';
    const factory = vm.runInContext(runnerSource, context, { filename: 'function-runner' });
    inst.runner = factory(JSON.stringify(spec.vm), codeFn, setupFn, makeBridge(inst));
  } catch (err) {
    inst.failure = compileFailure(err, what);
  }
  for (const kind of KINDS) {
    const id = inst.stores[kind];
    if (!id) continue;
    const s = storeOf(id);
    s.users.push({ inst: inst, kind: kind });
    if (inst.runner !== null) for (const [key, e] of s.entries) if (e.flag !== 1) inst.runner.mirror(kind, key, e.value, e.flag);
  }
  instances.set(inst.id, inst);
}

function remove(id) {
  const inst = instances.get(id);
  if (inst === undefined) return;
  instances.delete(id);
  for (const runId of [...inst.runs.keys()]) endRun(inst, runId);
  for (const kind of KINDS) {
    const storeId = inst.stores[kind];
    const s = storeId ? stores.get(storeId) : undefined;
    if (s === undefined) continue;
    s.users = s.users.filter(function (u) { return u.inst !== inst; });
    if (s.users.length === 0) stores.delete(storeId);
  }
}

function share(inst, writes, seq, late) {
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i];
    const kind = w[0], key = w[1], deleted = w[3] === true;
    const s = stores.get(inst.stores[kind]);
    if (s === undefined) continue;
    const value = deleted ? undefined : structuredClone(w[2]);
    s.entries.set(key, { value: value, flag: deleted ? 1 : 0, seq: seq, late: late });
    for (const u of s.users) {
      if ((u.inst !== inst || u.kind !== kind) && u.inst.runner !== null) u.inst.runner.mirror(u.kind, key, value, deleted ? 1 : 0);
    }
  }
}

// Shapes of incoming messages, by the parent's ids; shapes of replies, by this worker's ids.
const inShapes = new Map();
const outShapeIds = new Map();
const outShapesSent = new Set();
let nextOutShape = 0;

function outShape(inst, keys) {
  const last = inst.outKeys;
  if (last !== null && last.length === keys.length) {
    let same = true;
    for (let j = 0; j < keys.length; j++) if (keys[j] !== last[j]) { same = false; break; }
    if (same) return inst.outShape;
  }
  const text = JSON.stringify(keys);
  let id = outShapeIds.get(text);
  if (id === undefined) {
    // A flood of distinct shapes (random keys) is sent whole rather than growing the table.
    if (nextOutShape >= 4096) return -1;
    id = nextOutShape++;
    outShapeIds.set(text, id);
  }
  inst.outKeys = keys;
  inst.outShape = id;
  return id;
}

// recs: one runner record per job. Defs of shapes the parent has not seen are included; they are
// marked seen only once the reply was posted.
function encodeReply(seq, insts, recs) {
  const n = recs.length;
  const statuses = new Array(n), shapes = new Array(n), values = [], defs = [];
  let effects = null;
  for (let i = 0; i < n; i++) {
    const rec = recs[i];
    statuses[i] = rec[0];
    if (rec[2] !== null) { if (effects === null) effects = []; effects.push(i, rec[2]); }
    let id = -1;
    const inst = rec[0] === 1 ? instances.get(insts[i]) : undefined;
    if (inst !== undefined) {
      // A status-1 value is a plain object the runner built (copyMessage): flatten it.
      const keys = Object.keys(rec[1]);
      id = outShape(inst, keys);
      if (id >= 0) {
        if (!outShapesSent.has(id) && !defs.some(function (d) { return d[0] === id; })) defs.push([id, keys]);
        const v = rec[1];
        for (let j = 0; j < keys.length; j++) values.push(v[keys[j]]);
      }
    }
    shapes[i] = id;
    if (id < 0) values.push(rec[1]);
  }
  return { reply: { t: 'done', seq: seq, statuses: statuses, shapes: shapes, values: values, defs: defs, effects: effects }, defs: defs };
}

function postReply(seq, insts, recs) {
  const encoded = encodeReply(seq, insts, recs);
  parentPort.postMessage(encoded.reply);
  for (const d of encoded.defs) outShapesSent.add(d[0]);
}

function batch(m) {
  for (const [id, keys] of m.defs) inShapes.set(id, keys);
  for (const [id, key, value, flag] of m.deltas) {
    const s = stores.get(id);
    if (s === undefined) continue;
    const e = s.entries.get(key);
    if (e !== undefined && (e.seq > m.basedOn || e.late > m.basedOnLate)) continue;
    s.entries.set(key, { value: value, flag: flag, seq: 0, late: 0 });
    for (const u of s.users) if (u.inst.runner !== null) u.inst.runner.mirror(u.kind, key, value, flag);
  }
  const n = m.insts.length;
  const recs = new Array(n);
  const values = m.values;
  let p = 0;
  Atomics.store(progress, 0, m.seq);
  Atomics.store(progress, 1, 0);
  Atomics.store(progress, 2, 1);
  for (let i = 0; i < n; i++) {
    Atomics.store(progress, 1, i);
    const inst = instances.get(m.insts[i]);
    const shape = m.shapes[i];
    const keys = shape >= 0 ? inShapes.get(shape) : undefined;
    const at = p;
    p += keys === undefined ? 1 : keys.length;
    let rec;
    if (inst === undefined) rec = [3, { code: 'FUNCTION_FAILED', message: 'the function node is not registered in the sandbox', line: 0, column: 0 }, null];
    else if (inst.failure !== null) rec = [3, inst.failure, null];
    else {
      // Code that may go async is timed from its start; other code goes async only by a timer or
      // request (timed from that first call) or a returned promise (from its return).
      const started = inst.hinted ? performance.now() : -1;
      rec = m.kinds[i] === 1 ? inst.runner.setup() : keys !== undefined ? inst.runner.runFlat(keys, values, at) : inst.runner.run(values[at]);
      if (rec[0] === 4) rec = goneAsync(inst, rec[1], m.seq, i, started);
      const fx = rec[2];
      if (fx !== null && fx.writes !== null) share(inst, fx.writes, m.seq, 0);
    }
    recs[i] = rec;
  }
  Atomics.store(progress, 2, 0);
  try {
    postReply(m.seq, m.insts, recs);
  } catch (err) {
    // Records hold only copied plain data, so this is not expected; never lose the batch over it.
    for (let i = 0; i < n; i++) {
      try { structuredClone(recs[i]); } catch (e) {
        recs[i] = [3, { code: 'FUNCTION_RESULT_INVALID', message: 'the result could not be copied out of the sandbox: ' + e.message, line: 0, column: 0 }, null];
      }
    }
    postReply(m.seq, m.insts, recs);
  }
}

// The run's sync part is over; drain its promise reactions. If it still waits (on its result,
// timers or requests), it gets its time limit here and is answered later by a 'late' message.
function goneAsync(inst, runId, seq, index, started) {
  const hr = hostRun(inst, runId);
  hr.seq = seq;
  hr.index = index;
  let rec;
  try { drainScript.runInContext(inst.context); } finally {
    rec = inst.runner.leave();
  }
  if (rec[0] !== 4) return rec;
  const left = Math.max(0, inst.timeoutMs - (performance.now() - (started >= 0 ? started : hr.created)));
  hr.deadline = setTimeout(function () { timeUp(inst, runId, hr); }, left);
  return [4, null, null];
}

// What the host keeps per async run: its address (batch seq and job index), timers, requests.
function hostRun(inst, runId) {
  let hr = inst.runs.get(runId);
  if (hr === undefined) {
    hr = { seq: 0, index: 0, created: performance.now(), timers: new Map(), aborts: new Set(), deadline: undefined };
    inst.runs.set(runId, hr);
  }
  return hr;
}

function endRun(inst, runId) {
  const hr = inst.runs.get(runId);
  if (hr === undefined) return;
  inst.runs.delete(runId);
  for (const t of hr.timers.values()) clearTimeout(t);
  for (const a of hr.aborts) a.abort();
  if (hr.deadline !== undefined) clearTimeout(hr.deadline);
}

// Runs a timer callback (op 1), delivers a request's result (op 3) or only drains (op 0) for a
// waiting run, with the watchdog told which job is on the CPU.
function resume(inst, runId, op, id, ok, value) {
  const hr = inst.runs.get(runId);
  if (hr === undefined || hr.seq === 0 || instances.get(inst.id) !== inst) return;
  if (!inst.runner.enter(runId)) return;
  markContinuation(hr.seq, hr.index);
  let rec;
  try {
    if (op === 1) inst.runner.fire(id);
    else if (op === 3) inst.runner.deliver(id, ok, value);
    drainScript.runInContext(inst.context);
  } finally {
    rec = inst.runner.leave();
    Atomics.store(progress, 2, 0);
  }
  if (rec[0] !== 4) complete(inst, hr, rec);
}

function timeUp(inst, runId, hr) {
  const rec = inst.runner.abort(runId, 'user code ran longer than ' + inst.timeoutMs + ' ms on this message and was stopped');
  if (rec !== null) complete(inst, hr, rec);
}

function complete(inst, hr, rec) {
  const late = ++lateSeq;
  const fx = rec[2];
  if (fx !== null && fx.writes !== null) share(inst, fx.writes, 0, late);
  const reply = { t: 'late', seq: hr.seq, index: hr.index, late: late, rec: rec };
  try {
    parentPort.postMessage(reply);
  } catch (err) {
    reply.rec = [3, { code: 'FUNCTION_RESULT_INVALID', message: 'the result could not be copied out of the sandbox: ' + err.message, line: 0, column: 0 }, null];
    parentPort.postMessage(reply);
  }
}

// The host side of timers, fetch and fs for one node. Called by the runner with primitives only;
// never throws (answers -1 instead), so no host error object reaches user code.
function makeBridge(inst) {
  return function bridge(op, runId, id, a, b) {
    try {
      if (op === 0) { endRun(inst, runId); return 0; }
      const hr = hostRun(inst, runId);
      if (op === 1) {
        const fire = function () { resume(inst, runId, 1, id, false, null); };
        const delay = Math.min(Number(a), 2147483647);
        hr.timers.set(id, b === 1 ? setInterval(fire, delay) : setTimeout(fire, delay));
        return 0;
      }
      if (op === 2) {
        const t = hr.timers.get(id);
        if (t !== undefined) { clearTimeout(t); hr.timers.delete(id); }
        return 0;
      }
      if ((op === 3 || op === 4) && typeof a === 'string') {
        const controller = new AbortController();
        hr.aborts.add(controller);
        const work = op === 3 ? doFetch(inst, a, controller.signal) : doFs(inst, a, controller.signal);
        work.then(function (result) {
          hr.aborts.delete(controller);
          resume(inst, runId, 3, id, result[0], result[1]);
        });
        return 0;
      }
      return -1;
    } catch (err) {
      return -1;
    }
  };
}

function hostAllowed(list, url) {
  if (list.length === 0) return true;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const hostPort = url.host.toLowerCase();
  for (const entry of list) {
    const e = String(entry).toLowerCase();
    if (e === host || e === hostPort) return true;
    if (e.startsWith('*.') && host.endsWith(e.slice(1))) return true;
  }
  return false;
}

// fetch in the worker's realm, answering [ok, plain data or a message]. Redirects are followed
// here, one hop at a time, so every host on the way is checked against allowedHosts.
async function doFetch(inst, payload, signal) {
  let where = 'fetch';
  try {
    const req = JSON.parse(payload);
    where = 'fetch(' + JSON.stringify(req.url) + ')';
    let url = new URL(req.url);
    let method = req.method.toUpperCase();
    let body = req.body === null ? undefined : req.binary ? Buffer.from(req.body, 'latin1') : req.body;
    let redirected = false;
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('only http: and https: URLs can be fetched, not ' + url.protocol);
      if (!hostAllowed(inst.allowedHosts, url)) throw new Error('the host "' + url.host + '" is not in the node\'s allowed hosts (allowedHosts)');
      const res = await fetch(url, { method: method, headers: req.headers, body: body, redirect: 'manual', signal: signal });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location !== null && hop < 5) {
        await res.arrayBuffer().catch(function () {});
        url = new URL(location, url);
        redirected = true;
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) { method = 'GET'; body = undefined; }
        continue;
      }
      const declared = Number(res.headers.get('content-length'));
      if (declared > MAX_BODY_BYTES) throw new Error('the response body is larger than ' + MAX_BODY_BYTES + ' bytes');
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length > MAX_BODY_BYTES) throw new Error('the response body is larger than ' + MAX_BODY_BYTES + ' bytes');
      return [true, { status: res.status, statusText: res.statusText, url: url.href, redirected: redirected, headers: [...res.headers], body: bytes, text: new TextDecoder().decode(bytes) }];
    }
  } catch (err) {
    const cause = err && err.cause && err.cause.message ? ': ' + err.cause.message : '';
    return [false, where + ': ' + (err && err.message ? err.message : String(err)) + cause];
  }
}

// The one directory a node's fs may use: a path that leaves it, by .. or by a symbolic link, is
// refused before anything is touched.
async function confine(inst, p, creating) {
  if (inst.root === null) throw new Error(inst.rootError || 'no directory is configured (directory)');
  if (p.length === 0 || p.indexOf('\0') >= 0) throw new Error('the path must be a non-empty string without NUL characters');
  const root = inst.root;
  const inside = function (target) {
    const rel = pathModule.relative(root, target);
    return !(rel === '..' || rel.startsWith('..' + pathModule.sep) || pathModule.isAbsolute(rel));
  };
  const target = pathModule.resolve(root, p);
  if (!inside(target)) throw new Error('the path leaves the node\'s directory ' + JSON.stringify(inst.directory) + ' (path traversal is refused)');
  let real;
  try {
    real = await fsp.realpath(target);
  } catch (err) {
    if (!creating || err.code !== 'ENOENT') throw err;
    real = pathModule.join(await fsp.realpath(pathModule.dirname(target)), pathModule.basename(target));
  }
  if (!inside(real)) throw new Error('the path leads out of the node\'s directory ' + JSON.stringify(inst.directory) + ' through a symbolic link (refused)');
  return real;
}

async function doFs(inst, payload, signal) {
  let where = 'fs';
  try {
    const req = JSON.parse(payload);
    const name = req.op === 'list' ? 'readdir' : req.op + 'File';
    where = 'fs.' + name + '(' + JSON.stringify(req.path) + ')';
    const target = await confine(inst, req.path, req.op === 'write' || req.op === 'append');
    if (req.op === 'read') {
      const buf = await fsp.readFile(target, { signal: signal });
      if (req.encoding === null) return [true, new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)];
      return [true, buf.toString(req.encoding)];
    }
    if (req.op === 'list') return [true, (await fsp.readdir(target)).sort()];
    const data = req.binary ? Buffer.from(req.data, 'latin1') : req.data;
    if (req.op === 'write') await fsp.writeFile(target, data, { signal: signal });
    else await fsp.appendFile(target, data);
    return [true, null];
  } catch (err) {
    return [false, where + ': ' + (err && err.message ? err.message : String(err))];
  }
}

parentPort.on('message', function (m) {
  if (m.t === 'batch') batch(m);
  else if (m.t === 'add') add(m);
  else if (m.t === 'remove') remove(m.id);
});
`;
