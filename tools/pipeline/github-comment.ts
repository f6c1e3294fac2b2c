/**
 * Creates a pull request's summary comment, or updates the one an earlier
 * run left (found by its marker), through the GitHub REST API.
 */
export type Fetch = (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
  text(): Promise<string>;
}>;

export interface CommentTarget {
  token: string;
  /** owner/name */
  repo: string;
  pr: number;
  /** Default https://api.github.com; GitHub Enterprise passes its own in GITHUB_API_URL. */
  apiUrl?: string;
}

interface IssueComment {
  id: number;
  body?: string;
}

const PAGE = 100;

export async function upsertComment(target: CommentTarget, body: string, marker: string, fetchImpl: Fetch = fetch as unknown as Fetch): Promise<{ action: 'created' | 'updated'; id: number }> {
  const api = (target.apiUrl ?? 'https://api.github.com').replace(/\/$/, '');
  const headers = {
    Authorization: `Bearer ${target.token}`,
    Accept: 'application/vnd.github+json',
    'X-GitHub-Api-Version': '2022-11-28',
    'Content-Type': 'application/json',
  };
  const call = async <T>(url: string, method = 'GET', payload?: unknown): Promise<T> => {
    const response = await fetchImpl(url, { method, headers, ...(payload === undefined ? {} : { body: JSON.stringify(payload) }) });
    if (!response.ok) throw new Error(`GitHub ${method} ${url.replace(api, '')}: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
    return (await response.json()) as T;
  };

  let existing: IssueComment | undefined;
  for (let page = 1; !existing; page++) {
    const comments = await call<IssueComment[]>(`${api}/repos/${target.repo}/issues/${target.pr}/comments?per_page=${PAGE}&page=${page}`);
    existing = comments.find((c) => c.body?.includes(marker));
    if (comments.length < PAGE) break;
  }
  if (existing) {
    await call(`${api}/repos/${target.repo}/issues/comments/${existing.id}`, 'PATCH', { body });
    return { action: 'updated', id: existing.id };
  }
  const created = await call<IssueComment>(`${api}/repos/${target.repo}/issues/${target.pr}/comments`, 'POST', { body });
  return { action: 'created', id: created.id };
}
