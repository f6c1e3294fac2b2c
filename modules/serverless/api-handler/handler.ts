/**
 * The API Lambda shipped with the repository, behind the environment's ALB
 * (the guide's `lambda_handler`, in TypeScript): a GET whose path ends in
 * `/health` answers 200 `{"status":"ok"}` (the target group's health check
 * and a caller's probe); every other request answers 200 with a JSON body
 * echoing its method and path, and how long the handler took
 * (`X-Processing-Time`, as the guide's example reports it).
 *
 * It answers in the shape the target group asks for: `headers` for a single-
 * value target group, `multiValueHeaders` when multi-value headers are on
 * (the ALB then ignores `headers`). No dependencies: it bundles to one small
 * file (modules/resilience/bundle.ts), which keeps the cold start short.
 */

/** The event an ALB sends a Lambda target (single-value or multi-value headers). */
export interface AlbEvent {
  readonly requestContext: { readonly elb: { readonly targetGroupArn: string } };
  readonly httpMethod: string;
  readonly path: string;
  readonly queryStringParameters?: Record<string, string>;
  readonly multiValueQueryStringParameters?: Record<string, string[]>;
  readonly headers?: Record<string, string>;
  readonly multiValueHeaders?: Record<string, string[]>;
  readonly body?: string | null;
  readonly isBase64Encoded: boolean;
}

/** What the ALB turns back into an HTTP response. */
export interface AlbResult {
  readonly statusCode: number;
  readonly statusDescription: string;
  readonly isBase64Encoded: false;
  readonly headers?: Record<string, string>;
  readonly multiValueHeaders?: Record<string, string[]>;
  readonly body: string;
}

/** Name the stack gives the function, reported in every answer (the SERVICE_NAME variable). */
function serviceName(): string {
  return process.env.SERVICE_NAME ?? 'api';
}

function isHealthCheck(event: AlbEvent): boolean {
  return event.httpMethod === 'GET' && /\/health$/.test(event.path);
}

/** The response to one ALB event; `now` is injectable so tests can pin the timing header. */
export function respond(event: AlbEvent, now: () => number = () => performance.now()): AlbResult {
  const start = now();
  const payload = isHealthCheck(event)
    ? { status: 'ok', service: serviceName() }
    : { service: serviceName(), method: event.httpMethod, path: event.path };
  const body = JSON.stringify(payload);
  const headers = {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'X-Processing-Time': `${(now() - start).toFixed(2)}ms`,
  };
  const multiValue = event.multiValueHeaders !== undefined;
  return {
    statusCode: 200,
    statusDescription: '200 OK',
    isBase64Encoded: false,
    ...(multiValue ? { multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])) } : { headers }),
    body,
  };
}

/** Lambda's entry point (`index.handler` in the bundle). */
export async function handler(event: AlbEvent): Promise<AlbResult> {
  return respond(event);
}
