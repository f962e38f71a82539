/**
 * The demo's two small protocols, and the checks that turn untrusted input into typed messages.
 *
 * Signaling (JSON text over the WebSocket):
 *   browser -> server  { type: 'offer', sdp }             the browser offers, the server answers
 *                      { type: 'candidate', candidate }   trickled ICE candidate (null: end)
 *   server -> browser  { type: 'hello', stack }           which WebRTC stack answers
 *                      { type: 'answer', sdp }
 *                      { type: 'candidate', candidate }
 *                      { type: 'error', message }         the message was refused; nothing changed
 *
 * Application (over the data channel "demo"): JSON text, except the throughput test's payload.
 *   browser -> server  { type: 'chat', text }   { type: 'pong', seq }   { type: 'throughput' }
 *   server -> browser  { type: 'chat', text, reply, at }   { type: 'ping', seq }
 *                      { type: 'rtt', ms }   { type: 'pair', pair }
 *                      { type: 'throughput-start', bytes, chunk }, binary chunks,
 *                      { type: 'throughput-end', bytes, ms }   { type: 'error', message }
 */
import type { IceCandidateInit } from './w3c.js';

/** Largest signaling message accepted, in characters; a real offer from a browser is a few kilobytes. */
export const MAX_SIGNALING_BYTES = 64 * 1024;
/** Largest chat message, in characters. */
export const MAX_CHAT_CHARS = 1000;
/** Largest data-channel control message accepted, in characters. */
export const MAX_CHANNEL_MESSAGE_BYTES = 8 * 1024;

export type SignalingMessage =
  | { type: 'offer'; sdp: string }
  | { type: 'candidate'; candidate: IceCandidateInit | null };

export type ChannelMessage =
  | { type: 'chat'; text: string }
  | { type: 'pong'; seq: number }
  | { type: 'throughput' };

/** A refused message: `message` is safe to send back to the peer. */
export class ProtocolError extends Error {}

function parseObject(text: string, limit: number): Record<string, unknown> & { type: string } {
  if (text.length > limit) throw new ProtocolError(`message too large (limit ${limit} characters)`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProtocolError('message is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('message must be a JSON object');
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.type !== 'string') throw new ProtocolError('message has no string "type"');
  return obj as Record<string, unknown> & { type: string };
}

function parseCandidate(value: unknown): IceCandidateInit | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ProtocolError('"candidate" must be an object or null');
  }
  const c = value as Record<string, unknown>;
  if (typeof c.candidate !== 'string' || c.candidate.length > 1024) {
    throw new ProtocolError('"candidate.candidate" must be a string of at most 1024 characters');
  }
  const sdpMid = c.sdpMid ?? null;
  if (sdpMid !== null && (typeof sdpMid !== 'string' || sdpMid.length > 64)) {
    throw new ProtocolError('"candidate.sdpMid" must be a short string or null');
  }
  const index = c.sdpMLineIndex ?? null;
  if (index !== null && !(Number.isInteger(index) && Number(index) >= 0 && Number(index) < 65536)) {
    throw new ProtocolError('"candidate.sdpMLineIndex" must be an integer from 0 to 65535 or null');
  }
  if (sdpMid === null && index === null) {
    throw new ProtocolError('a candidate needs "sdpMid" or "sdpMLineIndex"');
  }
  return { candidate: c.candidate, sdpMid, sdpMLineIndex: index as number | null };
}

/** Checks one signaling message from a browser; throws ProtocolError when it is refused. */
export function parseSignalingMessage(data: unknown): SignalingMessage {
  if (typeof data !== 'string') throw new ProtocolError('signaling messages are JSON text');
  const obj = parseObject(data, MAX_SIGNALING_BYTES);
  switch (obj.type) {
    case 'offer':
      if (typeof obj.sdp !== 'string' || obj.sdp.length === 0) {
        throw new ProtocolError('"offer" needs a non-empty string "sdp"');
      }
      return { type: 'offer', sdp: obj.sdp };
    case 'candidate':
      if (!('candidate' in obj)) throw new ProtocolError('"candidate" message has no "candidate"');
      return { type: 'candidate', candidate: parseCandidate(obj.candidate) };
    default:
      throw new ProtocolError(`unknown message type ${JSON.stringify(obj.type.slice(0, 40))}`);
  }
}

/** Checks one data-channel message from a browser; throws ProtocolError when it is refused. */
export function parseChannelMessage(data: unknown): ChannelMessage {
  if (typeof data !== 'string') throw new ProtocolError('control messages are JSON text');
  const obj = parseObject(data, MAX_CHANNEL_MESSAGE_BYTES);
  switch (obj.type) {
    case 'chat':
      if (typeof obj.text !== 'string' || obj.text.length === 0) {
        throw new ProtocolError('"chat" needs a non-empty string "text"');
      }
      if (obj.text.length > MAX_CHAT_CHARS) {
        throw new ProtocolError(`chat messages are limited to ${MAX_CHAT_CHARS} characters`);
      }
      return { type: 'chat', text: obj.text };
    case 'pong':
      if (!Number.isSafeInteger(obj.seq)) throw new ProtocolError('"pong" needs an integer "seq"');
      return { type: 'pong', seq: obj.seq as number };
    case 'throughput':
      return { type: 'throughput' };
    default:
      throw new ProtocolError(`unknown message type ${JSON.stringify(obj.type.slice(0, 40))}`);
  }
}

/** The server's answer to a chat line: the text reversed, by code point, so emoji survive. */
export function chatReply(text: string): string {
  return [...text].reverse().join('');
}
