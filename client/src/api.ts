// Talking to wer-sniff: JSON from /api (the cookie carries the token), live rows from
// /api/events. Download links are built from numbers only, never from wire text.
import type { BucketsReply, DetailReply, DiffReply, Row, RowsReply } from '../../src/web/api-types';

export type { BucketsReply, DetailReply, DiffReply, Row, RowsReply };

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok && res.status !== 400) throw new Error(`${res.status} ${(await res.text()).trim()}`);
  return (await res.json()) as T;
}

export const getRows = (): Promise<RowsReply> => json('/api/rows');
export const getDetail = (id: number): Promise<DetailReply> => json(`/api/record/${Number(id)}`);
export const getBuckets = (): Promise<BucketsReply> => json('/api/buckets');
export const getDiff = (a: number, b: number): Promise<DiffReply> => json(`/api/diff?a=${Number(a)}&b=${Number(b)}`);
export const getFilter = (q: string): Promise<{ ids?: number[]; error?: string }> => json(`/api/filter?q=${encodeURIComponent(q)}`);

export const requestUrl = (id: number): string => `/api/record/${Number(id)}/request`;
export const cabUrl = (id: number): string => `/api/record/${Number(id)}/cab`;
export const fileUrl = (id: number, index: number): string => `/api/record/${Number(id)}/file/${Number(index)}`;

/** Live rows; `onSkipped` when the page fell behind (the server counted what it missed). */
export function live(onRow: (r: Row) => void, onSkipped: (n: number) => void, onReconnect: () => void): () => void {
  const es = new EventSource('/api/events');
  let opened = false;
  es.onmessage = (e) => onRow(JSON.parse(e.data) as Row);
  es.addEventListener('skipped', (e) => onSkipped(Number((e as MessageEvent).data)));
  es.onopen = () => {
    if (opened) onReconnect();
    opened = true;
  };
  return () => es.close();
}
