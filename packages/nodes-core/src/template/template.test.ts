import { testNode } from '@plantwire/testing';
import { describe, expect, it } from 'vitest';
import { template } from './template.node.js';

const render = async (config: Record<string, unknown>, msg: Record<string, unknown>, env?: Record<string, string>) => {
  const node = await testNode(template, config, { env });
  const [out] = await node.input(msg);
  return out!.msg;
};

describe('template', () => {
  it('renders message properties into the payload as text', async () => {
    const out = await render({ template: 'Temperature on {{topic}} is {{payload.temperature}} °C' }, { _msgid: 'm1', topic: 'line1', payload: { temperature: 21.5 } });
    expect(out).toEqual({ _msgid: 'm1', topic: 'line1', payload: 'Temperature on line1 is 21.5 °C' });
  });

  it('renders sections over arrays and writes to another property', async () => {
    const out = await render({ template: '{{#payload}}{{name}}={{value}};{{/payload}}', property: 'text' }, { payload: [{ name: 'a', value: 1 }, { name: 'b', value: 2 }] });
    expect(out.text).toBe('a=1;b=2;');
    expect(out.payload).toEqual([{ name: 'a', value: 1 }, { name: 'b', value: 2 }]);
  });

  it('renders objects as JSON and does not escape HTML unless asked', async () => {
    expect((await render({ template: '{"reading": {{payload}}, "raw": {{{payload}}}}' }, { payload: { v: '<1>' } })).payload).toBe('{"reading": {"v":"<1>"}, "raw": {"v":"<1>"}}');
    expect((await render({ template: '{{payload}}', escapeHtml: true }, { payload: 'a < b & "c"' })).payload).toBe('a &lt; b &amp; &quot;c&quot;');
  });

  it('parses the result as JSON with output json', async () => {
    const out = await render({ template: '{"line": "{{env.LINE_ID}}", "value": {{payload}}, "tags": {{tags}}}', output: 'json' }, { payload: 7, tags: ['a'] }, { LINE_ID: 'L1' });
    expect(out.payload).toEqual({ line: 'L1', value: 7, tags: ['a'] });
  });

  it('reads flow and global context', async () => {
    const node = await testNode(template, { template: '{{flow.site}}/{{global.plant}}/{{payload}}' });
    node.ctx.context.flow.set('site', 'north');
    node.ctx.context.global.set('plant', 'p1');
    const [out] = await node.input({ payload: 'x' });
    expect(out!.msg.payload).toBe('north/p1/x');
  });

  it('renders missing values as nothing', async () => {
    expect((await render({ template: '[{{payload.missing}}]' }, { payload: {} })).payload).toBe('[]');
  });

  it('raises DECODE_FAILED with the position when the rendered text is not JSON', async () => {
    const node = await testNode(template, { template: '{"value": {{payload}}}', output: 'json' });
    await expect(node.input({ payload: 'not-a-number' })).rejects.toMatchObject({
      code: 'DECODE_FAILED',
      message: 'the rendered template is not valid JSON: expected a JSON value, found "n" at line 1, column 11 (position 10)',
      details: expect.objectContaining({ position: 10, line: 1, column: 11 }),
    });
  });

  it('reports a broken template when the config is validated', () => {
    const result = template.config.safeParse({ template: 'Hello {{#payload}} unclosed' });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['template', expect.stringContaining('invalid mustache template: Unclosed section "payload"')]]);
    expect(template.config.safeParse({}).error?.issues[0]?.path).toEqual(['template']);
  });
});
