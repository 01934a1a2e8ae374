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
 * Invariant: no host-realm object or function ever reaches the sandbox. Messages and context values
 * cross by deep copy made with sandbox-realm constructors; the runner captures every builtin it uses
 * before user code runs, so user code that patches prototypes can break only its own node.
 */

/**
 * Evaluated in each sandbox before any user code. Returns a factory
 * `(specJson, codeFn, setupFn) => runner` with
 * - `run(hostMsg)`, `runFlat(keys, values, offset)` (a message sent flattened: its keys and its
 *   values from `values[offset]` on, see flat-messages.ts) and `setup()` →
 *   `[status, value, effects]`, where status is 0 (no output),
 *   1 (one message for the first output: value), 2 (value is one entry per output: null or an
 *   array of messages), 3 (failure: value is `{code, message, line, column}`);
 * - `mirror(kind, key, hostValue, flag)` to update the node's copy of a context store
 *   (flag 0 set, 1 delete, 2 unavailable with hostValue as the reason).
 * Effects are `null` or `{logs, statuses, writes, errors, sends}` (each null or an array).
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
const stringify = JSON.stringify;
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
      case '[object Promise]': throw invalid(pathText(root, d) + ' is a Promise (async code is not supported in a function node)');
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
  if (typeof m.then === 'function') throw invalid(root + ' is a Promise (async code is not supported in a function node)');
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

return function factory(specJson, codeFn, setupFn) {
  const spec = JSON.parse(specJson);
  const outputs = spec.outputs;
  const granted = spec.capabilities;
  const envValues = spec.env;
  const mirrors = { __proto__: null, node: new MapCtor(), flow: new MapCtor(), global: new MapCtor() };
  let fx = null;

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
    return new ErrorCtor(what + ' is not available: grant the "' + capability + '" capability in the node\'s config (capabilities)');
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
    done: function () {},
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

  function notHanded(e) {
    return [3, failure('FUNCTION_FAILED', 'the message could not be handed to user code: ' + (isInvalid(e) ? e.message : text(e)), 0, 0), null];
  }
  function runOn(msg) {
    let result;
    try { result = codeFn(msg); } catch (e) { return [3, fromThrown(e), fx]; }
    try {
      const r = normalize(result, 'the returned value');
      return [r[0], r[1], fx];
    } catch (e) { return [3, fromThrown(e), fx]; }
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
      if (setupFn === null) return [0, null, null];
      let result;
      try { result = setupFn(); } catch (e) { return [3, fromThrown(e), fx]; }
      try {
        if (typeof result === 'object' && result !== null && typeof result.then === 'function') {
          return [3, failure('FUNCTION_RESULT_INVALID', 'setup code returned a Promise (async code is not supported in a function node)', 0, 0), fx];
        }
      } catch (e) { return [3, fromThrown(e), fx]; }
      return [0, null, fx];
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
 * - `{t: 'batch', seq, basedOn, deltas, insts, kinds, shapes, values, defs}`: apply context deltas
 *   (`[storeId, key, value, flag]`, skipped for keys this worker wrote in a batch whose results the
 *   main thread had not applied yet, i.e. seq > basedOn), then run the jobs in order. Messages
 *   are flattened (flat-messages.ts): job i's message is `values` from the current position on,
 *   as many as shape `shapes[i]` has keys (`defs`: `[id, keys]` of shapes new to this worker), or,
 *   when `shapes[i]` is -1, the one value there.
 * Worker → parent: `{t: 'done', seq, statuses, shapes, values, defs, effects}`: per job the
 *   runner record's status, and its value flattened the same way (a single message of status 1
 *   by shape, anything else whole, `shapes[i]` -1); `effects` is null or `[index, effects, …]`
 *   for the jobs that had any.
 * Progress (shared Int32Array): [batch seq, job index, running flag], so the main thread's watchdog
 * knows which job is on the CPU and can attribute a hang or an out-of-memory crash to it.
 */
export const WORKER_SOURCE = String.raw`'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const vm = require('node:vm');
const progress = new Int32Array(workerData.progress);
const runnerSource = workerData.runnerSource;
// User code can create promises but never run their reactions (the sandboxes use
// microtaskMode 'afterEvaluate' and are never evaluated again), so a rejection is never handled.
process.on('unhandledRejection', function () {});

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

function add(m) {
  for (const [id, entries] of m.snapshots) {
    const s = storeOf(id);
    for (const [key, value, flag] of entries) s.entries.set(key, { value: value, flag: flag, seq: 0 });
  }
  const spec = m.spec;
  const inst = { id: m.inst, runner: null, failure: null, stores: spec.storeIds, outKeys: null, outShape: -1 };
  const context = vm.createContext(Object.create(null), {
    name: 'function node ' + spec.vm.nodeId,
    codeGeneration: { strings: true, wasm: false },
    microtaskMode: 'afterEvaluate',
  });
  let what = 'code';
  try {
    const codeFn = vm.compileFunction(spec.code, ['msg'], { parsingContext: context, filename: 'function-code' });
    what = 'setup code';
    const setupFn = spec.setup ? vm.compileFunction(spec.setup, [], { parsingContext: context, filename: 'function-setup' }) : null;
    what = 'sandbox';
    const factory = vm.runInContext(runnerSource, context, { filename: 'function-runner' });
    inst.runner = factory(JSON.stringify(spec.vm), codeFn, setupFn);
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
  for (const kind of KINDS) {
    const storeId = inst.stores[kind];
    const s = storeId ? stores.get(storeId) : undefined;
    if (s === undefined) continue;
    s.users = s.users.filter(function (u) { return u.inst !== inst; });
    if (s.users.length === 0) stores.delete(storeId);
  }
}

function share(inst, writes, seq) {
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i];
    const kind = w[0], key = w[1], deleted = w[3] === true;
    const s = stores.get(inst.stores[kind]);
    if (s === undefined) continue;
    const value = deleted ? undefined : structuredClone(w[2]);
    s.entries.set(key, { value: value, flag: deleted ? 1 : 0, seq: seq });
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
    if (e !== undefined && e.seq > m.basedOn) continue;
    s.entries.set(key, { value: value, flag: flag, seq: 0 });
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
      rec = m.kinds[i] === 1 ? inst.runner.setup() : keys !== undefined ? inst.runner.runFlat(keys, values, at) : inst.runner.run(values[at]);
      const fx = rec[2];
      if (fx !== null && fx.writes !== null) share(inst, fx.writes, m.seq);
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

parentPort.on('message', function (m) {
  if (m.t === 'batch') batch(m);
  else if (m.t === 'add') add(m);
  else if (m.t === 'remove') remove(m.id);
});
`;
