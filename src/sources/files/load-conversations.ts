// Reads one side of `diff`: anything open-inputs.ts opens (a raw capture, pcap/pcapng, a HAR, a
// `--save-dir` report folder or a save-dir root), or `file#N` for the Nth report of it. Every
// form goes through the same Recorder and ConversationGatherer as `decode`; a report folder's
// conversation is labelled with the folder.
import fs from 'node:fs';
import { Recorder } from '../../pipeline/recorder.js';
import { ConversationGatherer, type Conversation } from '../../analysis/diff/conversation.js';
import { WerSniffError } from '../../errors.js';
import type { TcpFilter } from '../pcap/capture.js';
import { feedInputs, openInputs } from './open-inputs.js';
import { recorderTarget } from './chunk-target.js';

export interface LoadOptions {
  maxBodyBytes?: number;
  /** pcap/pcapng sides: which TCP connections (default: port 1273). */
  filter?: TcpFilter;
  /** Notes on what an input could not give back exactly. */
  onNotice?(message: string): void;
}

/** `file`, or `file#N` when `file#N` itself does not exist. */
export function parseSideSpec(spec: string): { file: string; index?: number } {
  const m = /^(.*)#(\d+)$/.exec(spec);
  if (m && !fs.existsSync(spec) && fs.existsSync(m[1]!)) return { file: m[1]!, index: Number(m[2]) };
  return { file: spec };
}

/** The conversations of one side (all of them, or the one `#N` names). Errors exit with 2. */
export async function loadConversations(spec: string, opts: LoadOptions = {}): Promise<Conversation[]> {
  const { file, index } = parseSideSpec(spec);
  const inputs = openInputs([file], 2);
  const folders = new Set(inputs[0]!.folders ?? []);
  const gatherer = new ConversationGatherer();
  const recorder = new Recorder({ sinks: [gatherer], maxBodyBytes: opts.maxBodyBytes });
  try {
    await feedInputs(inputs, recorderTarget(recorder), { filter: opts.filter, onNotice: opts.onNotice });
  } catch (err) {
    if (err instanceof WerSniffError) throw new WerSniffError(err.code, err.message, 2);
    throw new WerSniffError('input-failed', `reading ${file} failed: ${(err as Error).message}`, 2);
  } finally {
    await recorder.close();
  }
  const convs = gatherer.conversations;
  for (const c of convs) if (folders.has(c.report.connection.peer)) c.label = c.report.connection.peer;
  if (convs.length === 0) throw new WerSniffError('no-report', `no level-1 report in ${file} — give a capture of POST /stage2.htm, a HAR or a --save-dir report folder`, 2);
  if (index === undefined) return convs;
  const conv = convs[index - 1];
  if (!conv || index < 1) throw new WerSniffError('no-such-report', `${file} holds ${convs.length} report${convs.length === 1 ? '' : 's'}, not #${index} — use #1…#${convs.length}`, 2);
  return [conv];
}
