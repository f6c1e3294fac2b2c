/**
 * The API handler shipped in modules/serverless/api-handler, run the way
 * Lambda runs it: the bundle (the zip the stack's asset holds) unpacked into
 * a directory of its own, `index.js` required by a fresh Node process, and
 * `handler` awaited with ALB events in the shape the target group sends them
 * (single-value and multi-value headers).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleLambda } from '../../../modules/resilience/bundle';
import { type AlbEvent, type AlbResult, respond } from '../../../modules/serverless/api-handler/handler';
import { API_HANDLER_ENTRY } from '../../../modules/serverless';

const TARGET_GROUP = 'arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/web-app-staging-api/0123456789abcdef';

/** An ALB event as a Lambda target with single-value headers receives it (AWS's documented example, trimmed). */
function albEvent(httpMethod: string, path: string, body: string | null = null): AlbEvent {
  return {
    requestContext: { elb: { targetGroupArn: TARGET_GROUP } },
    httpMethod,
    path,
    queryStringParameters: { q: 'lambda' },
    headers: {
      accept: 'application/json',
      host: 'staging.example.com',
      'user-agent': 'curl/8.5.0',
      'x-amzn-trace-id': 'Root=1-6745b1a0-0123456789abcdef01234567',
      'x-forwarded-for': '203.0.113.10',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    body,
    isBase64Encoded: false,
  };
}

/** The same request with multi-value headers on (lambda_multi_value_headers_enabled). */
function multiValueEvent(httpMethod: string, path: string): AlbEvent {
  const { headers, queryStringParameters, ...rest } = albEvent(httpMethod, path);
  return {
    ...rest,
    multiValueQueryStringParameters: Object.fromEntries(Object.entries(queryStringParameters ?? {}).map(([k, v]) => [k, [v]])),
    multiValueHeaders: { ...Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, [v]])), 'x-forwarded-for': ['203.0.113.10', '10.20.0.5'] },
  };
}

const work = mkdtempSync(join(tmpdir(), 'api-handler-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Unzips the bundle and invokes its `handler` in a new Node process, as Lambda's runtime does; returns what it resolved to. */
function invokeBundle(events: readonly AlbEvent[]): AlbResult[] {
  const files = unzipSync(readFileSync(bundleLambda(API_HANDLER_ENTRY).path));
  expect(Object.keys(files)).toEqual(['index.js']);
  writeFileSync(join(work, 'index.js'), files['index.js'] as Uint8Array);
  writeFileSync(join(work, 'events.json'), JSON.stringify(events));
  const script = `
    const { handler } = require('./index.js');
    const events = require('./events.json');
    Promise.all(events.map((e) => handler(e, {}))).then((r) => process.stdout.write(JSON.stringify(r)));`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH, SERVICE_NAME: 'web-app-staging-api' } });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as AlbResult[];
}

describe('the bundled handler, invoked as Lambda invokes it', () => {
  const [health, echo, post, multi] = invokeBundle([
    albEvent('GET', '/fn/health'),
    albEvent('GET', '/fn/orders/42'),
    albEvent('POST', '/fn/orders', '{"item":"book"}'),
    multiValueEvent('GET', '/fn/health'),
  ]);

  it('GET …/health: 200, JSON status ok and the service name', () => {
    expect(health).toMatchObject({ statusCode: 200, statusDescription: '200 OK', isBase64Encoded: false });
    expect(health!.headers).toMatchObject({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    expect(health!.headers!['X-Processing-Time']).toMatch(/^\d+\.\d{2}ms$/);
    expect(JSON.parse(health!.body)).toEqual({ status: 'ok', service: 'web-app-staging-api' });
    expect(health).not.toHaveProperty('multiValueHeaders');
  });

  it('any other request: 200 with its method and path echoed', () => {
    expect(echo!.statusCode).toBe(200);
    expect(JSON.parse(echo!.body)).toEqual({ service: 'web-app-staging-api', method: 'GET', path: '/fn/orders/42' });
    expect(JSON.parse(post!.body)).toEqual({ service: 'web-app-staging-api', method: 'POST', path: '/fn/orders' });
  });

  it('multi-value headers on: answers in multiValueHeaders (the ALB ignores headers then)', () => {
    expect(multi).not.toHaveProperty('headers');
    expect(multi!.multiValueHeaders).toMatchObject({ 'Content-Type': ['application/json'], 'Cache-Control': ['no-store'] });
    expect(JSON.parse(multi!.body)).toEqual({ status: 'ok', service: 'web-app-staging-api' });
  });
});

describe('respond', () => {
  it('a POST to …/health is not a health check', () => {
    expect(JSON.parse(respond(albEvent('POST', '/fn/health')).body)).toMatchObject({ method: 'POST', path: '/fn/health' });
  });

  it('a path that only contains health is echoed', () => {
    expect(JSON.parse(respond(albEvent('GET', '/fn/healthz')).body)).toMatchObject({ method: 'GET', path: '/fn/healthz' });
  });

  it('reports the time it took, as the guide\'s handler does', () => {
    let t = 10;
    const result = respond(albEvent('GET', '/fn/x'), () => (t += 1.5));
    expect(result.headers!['X-Processing-Time']).toBe('1.50ms');
  });

  it('the bundle has no dependencies: nothing is required but the handler itself', () => {
    const code = Buffer.from(unzipSync(readFileSync(bundleLambda(API_HANDLER_ENTRY).path))['index.js'] as Uint8Array).toString('utf8');
    expect(code).not.toMatch(/require\(["'](?!\.)/);
  });
});
