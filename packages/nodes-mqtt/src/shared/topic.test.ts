import { describe, expect, it } from 'vitest';
import { parseFilter, topicFilterProblem, topicMatches, topicNameProblem } from './topic.js';

describe('topicFilterProblem', () => {
  it('accepts plain, wildcard and shared filters', () => {
    for (const f of ['a/b', 'a/+/c', 'a/#', '#', '+', '+/+', '/a', '$share/g1/a/#', '$share/edge/+/x', '$SYS/#']) {
      expect(topicFilterProblem(f), f).toBeUndefined();
    }
  });

  it('names what is wrong with a bad filter', () => {
    expect(topicFilterProblem('')).toMatch(/empty/);
    expect(topicFilterProblem('a/#/c')).toMatch(/"#" must be the last level.*level 2/);
    expect(topicFilterProblem('a/b#')).toMatch(/"#" must be the last level/);
    expect(topicFilterProblem('a/x+/c')).toMatch(/"\+" must be a whole level.*"x\+" at level 2/);
    expect(topicFilterProblem('a\u0000b')).toMatch(/NUL/);
    expect(topicFilterProblem('$share/g')).toMatch(/group or the filter is missing/);
    expect(topicFilterProblem('$share//a')).toMatch(/group .* is empty/);
    expect(topicFilterProblem('$share/g+/a')).toMatch(/may not contain/);
    expect(topicFilterProblem('$share/g/')).toMatch(/needs a filter/);
    expect(topicFilterProblem('$share/g/a/#/b')).toMatch(/in shared subscription .*"#" must be the last level/);
  });
});

describe('topicNameProblem', () => {
  it('refuses wildcards and empty names', () => {
    expect(topicNameProblem('plant/line1/temp')).toBeUndefined();
    expect(topicNameProblem('plant/+/temp')).toMatch(/wildcards/);
    expect(topicNameProblem('plant/#')).toMatch(/wildcards/);
    expect(topicNameProblem('')).toMatch(/empty/);
  });

  it('refuses topics reserved for the broker (a publish there closes the connection)', () => {
    expect(topicNameProblem('$SYS/broker/uptime')).toMatch(/reserved for the broker/);
    expect(topicNameProblem('$share/group/plant')).toMatch(/reserved for the broker/);
    expect(topicNameProblem('$aws/things/oven/shadow/update')).toBeUndefined();
  });
});

describe('parseFilter', () => {
  it('splits a shared subscription into group and filter', () => {
    expect(parseFilter('$share/edge/plant/+/temp')).toEqual({ filter: 'plant/+/temp', shareGroup: 'edge' });
    expect(parseFilter('plant/#')).toEqual({ filter: 'plant/#', shareGroup: undefined });
  });
});

describe('topicMatches', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/b', 'a/c', false],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/+', 'a', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', 'a/b', true],
    ['+/+', '/x', true],
    ['#', '$SYS/broker', false],
    ['+/broker', '$SYS/broker', false],
    ['$SYS/#', '$SYS/broker', true],
    ['a/+/c', 'a/b/d', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});
