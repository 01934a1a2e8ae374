import { connectionRef, defineNode, type TagValue } from '@plantwire/node-sdk';
import * as z from 'zod';
import type { ModbusDeviceClient } from '../modbus-device/modbus-client.js';
import { modbusDevice } from '../modbus-device/modbus-device.connection.js';
import { registerMapSchema } from '../tag-schema.js';
import { changed, readPlanFor, runPollCycle, type ReadPlan, type UnitHealth } from './poll-cycle.js';

const configSchema = z.object({
  device: connectionRef(modbusDevice, { title: 'Device' }),
  tags: registerMapSchema().meta({ title: 'Tags', description: 'The register map to poll. Checked at deploy: names unique, no overlaps, types fit their table.' }),
  intervalMs: z
    .int()
    .min(0)
    .refine((ms) => ms === 0 || ms >= 10, 'the poll interval is 0 (back to back) or at least 10 ms')
    .default(1000)
    .meta({
      title: 'Poll interval (ms)',
      unit: 'ms',
      description: '0: back to back, the next poll starts as soon as the previous one finished (as fast as the device answers); else at least 10.',
    }),
  output: z.enum(['poll', 'changes']).default('poll').meta({
    title: 'Output',
    description: '`poll`: one message per poll, payload `{tagName: TagValue}`. `changes`: one message per tag whose value moved past its deadband or whose quality changed (topic = tag name).',
  }),
  maxGap: z.int().min(0).max(124).default(0).meta({
    title: 'Max gap',
    description: 'Unused registers (or bits) one request may read through to join neighbouring tags. Raise it only if the device answers for the addresses in between.',
  }),
  maxSkipPolls: z.int().min(1).max(1000).default(8).meta({
    title: 'Max polls to skip a silent unit',
    description: 'A unit that times out is skipped for 1, 2, 4 … polls (up to this), then probed again; other units keep their cadence.',
  }),
});

/** What a modbus-read node counts; shown in its status and kept in its state for tests. */
export interface ModbusReadStats {
  polls: number;
  /** Ticks skipped because the previous poll was still running. */
  skippedBusy: number;
  /** Ticks skipped because downstream pressure reached the node. */
  skippedBackpressure: number;
  /** Requests per poll, after coalescing (0 before the first connect). */
  requestsPerPoll: number;
}

/** The running node's state: counters, per-unit health, and a way to wait for the next poll. */
export interface ModbusReadState {
  readonly stats: ModbusReadStats;
  readonly health: Map<number, UnitHealth>;
  /** Resolves after the next poll finished (for tests). */
  nextPoll(): Promise<void>;
  /** Resolves after the next interval tick was handled: polled, or skipped and counted (for tests). */
  nextTick(): Promise<void>;
}

/**
 * Poll tags of a Modbus device every `intervalMs`, or back to back with `intervalMs: 0`. Each value is a TagValue `{value, quality,
 * sourceTime, unit}`; a read that fails gives its tags quality `bad` with the reason (timeout,
 * exception meaning, not connected) instead of silence. Neighbouring tags are read in as few
 * requests as the protocol allows; several unit ids on one gateway are polled fairly (see
 * `runPollCycle`). A tick that finds the previous poll still running, or downstream pressure, is
 * skipped and counted.
 */
export const modbusRead = defineNode({
  type: 'modbus-read',
  version: 1,
  category: 'source',
  summary: 'Poll Modbus registers, coils and inputs as tag values.',
  icon: 'download',
  outputs: { out: '`poll`: `{payload: {tagName: TagValue}}` per poll; `changes`: `{topic: tagName, payload: TagValue}` per change.' },
  config: configSchema,
  setup(ctx): ModbusReadState {
    const { config } = ctx;
    const handle = ctx.connection<ModbusDeviceClient>(config.device);
    const stats: ModbusReadStats = { polls: 0, skippedBusy: 0, skippedBackpressure: 0, requestsPerPoll: 0 };
    const health = new Map<number, UnitHealth>();
    const last = new Map<string, TagValue>();
    let plan: { client: ModbusDeviceClient; plan: ReadPlan } | undefined;
    let polling = false;
    let paused = false;
    let cycle = 0;
    let lastStatus = '';
    let lastPoll = new Map<string, TagValue>();
    let waiters: Array<() => void> = [];
    let tickWaiters: Array<() => void> = [];
    /** Restarts back-to-back polling after a drain (a no-op with an interval: its ticks carry on). */
    let resume = (): void => undefined;

    const planFor = (client: ModbusDeviceClient): ReadPlan => {
      if (plan?.client !== client) {
        plan = { client, plan: readPlanFor(config.tags, client.settings, config.maxGap) };
        stats.requestsPerPoll = plan.plan.requestCount;
      }
      return plan.plan;
    };

    const emit = (values: Map<string, TagValue>) => {
      let accepted = true;
      if (config.output === 'poll') {
        // `last` is what report-by-exception compares with; a poll message carries every tag anyway.
        accepted = ctx.emit({ payload: Object.fromEntries(values) });
      } else {
        for (const tag of config.tags) {
          const v = values.get(tag.name);
          if (!v || !changed(last.get(tag.name), v, tag.deadband)) continue;
          // A refused change is not remembered as reported, so it goes out after the pressure is gone.
          if (ctx.emit({ topic: tag.name, payload: v })) last.set(tag.name, v);
          else accepted = false;
        }
      }
      if (!accepted && !paused) {
        paused = true;
        ctx.onDrain(() => {
          paused = false;
          resume();
        });
      }
    };

    const notConnected = (): Map<string, TagValue> => {
      const sourceTime = new Date().toISOString();
      // The runtime learns of a lost link a moment after the client does: say so rather than "connected".
      const why = handle.reason ?? (handle.state === 'connected' ? 'the connection was lost' : handle.state);
      const reason = `not connected (${why})`;
      return new Map(config.tags.map((t) => [t.name, { value: null, quality: 'bad' as const, sourceTime, reason, ...(t.unit === undefined ? {} : { unit: t.unit }) }]));
    };

    const showStatus = (values: Map<string, TagValue>) => {
      let good = 0;
      for (const v of values.values()) if (v.quality === 'good') good++;
      const skipped = [stats.skippedBusy ? `${stats.skippedBusy} busy` : '', stats.skippedBackpressure ? `${stats.skippedBackpressure} backpressure` : ''].filter(Boolean);
      const text = `${good}/${values.size} good${skipped.length ? ` · skipped ${skipped.join(', ')}` : ''}`;
      if (text === lastStatus) return;
      lastStatus = text;
      ctx.status({ fill: good === values.size ? 'green' : good === 0 ? 'red' : 'yellow', shape: 'dot', text });
    };

    /** `tick`: from the interval timer (a skipped tick is counted), else an extra poll on (dis)connect. */
    const poll = async (tick: boolean) => {
      if (ctx.signal.aborted) return;
      if (polling) {
        if (tick) stats.skippedBusy++;
        showStatus(lastPoll);
        return;
      }
      if (paused) {
        if (tick) stats.skippedBackpressure++;
        showStatus(lastPoll);
        return;
      }
      polling = true;
      try {
        const client = handle.client;
        const values = client?.open ? await runPollCycle(client, planFor(client), { cycle: cycle++, health, maxSkipCycles: config.maxSkipPolls }) : notConnected();
        if (ctx.signal.aborted) return;
        stats.polls++;
        lastPoll = values;
        emit(values);
        showStatus(values);
      } catch (err) {
        ctx.error(err);
      } finally {
        polling = false;
        const done = waiters;
        waiters = [];
        for (const w of done) w();
      }
    };

    const tickDone = () => {
      const done = tickWaiters;
      tickWaiters = [];
      for (const w of done) w();
    };

    if (config.intervalMs === 0) {
      // Back to back: one loop polls while the link is up and downstream takes the messages; it
      // yields to the event loop between polls (a poll is a network round trip, so this never
      // spins), ends on disconnect, pressure or close, and a (re)connect or a drain starts it again.
      let looping = false;
      const loop = async () => {
        if (looping) return;
        looping = true;
        try {
          while (!ctx.signal.aborted && !paused && handle.client?.open) {
            await poll(true);
            tickDone();
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        } finally {
          looping = false;
        }
      };
      resume = () => void loop();
      handle.onConnected(() => void loop());
    } else {
      ctx.setInterval(() => void poll(true).then(tickDone), config.intervalMs);
      // Poll at once on every (re)connect.
      handle.onConnected(() => void poll(false));
    }
    // Report `bad` as soon as the link drops.
    handle.onDisconnected(() => void poll(false));
    return {
      stats,
      health,
      nextPoll: () => new Promise<void>((resolve) => waiters.push(resolve)),
      nextTick: () => new Promise<void>((resolve) => tickWaiters.push(resolve)),
    };
  },
});
