/** Writes one attribute as its canonical SDP line (without the line ending). */
import type { SdpAttribute, SdpParameter, SimulcastRid } from './sdp-model.js';

function formatParameters(parameters: readonly SdpParameter[]): string {
  return parameters.map((p) => (p.value === undefined ? p.name : `${p.name}=${p.value}`)).join(';');
}

function formatSimulcastStreams(streams: readonly SimulcastRid[][]): string {
  return streams
    .map((alternatives) => alternatives.map((a) => (a.paused ? `~${a.rid}` : a.rid)).join(','))
    .join(';');
}

function withValue(name: string, value: string): string {
  return `a=${name}:${value}`;
}

/** The canonical line for an attribute: "a=name[:value]", or "<type>=<value>" for an unknown line. */
export function canonicalAttributeLine(attribute: SdpAttribute): string {
  switch (attribute.kind) {
    case 'group': {
      const mids = attribute.mids.length > 0 ? ` ${attribute.mids.join(' ')}` : '';
      return withValue('group', `${attribute.semantics}${mids}`);
    }
    case 'mid':
      return withValue('mid', attribute.mid);
    case 'ice-ufrag':
      return withValue('ice-ufrag', attribute.ufrag);
    case 'ice-pwd':
      return withValue('ice-pwd', attribute.password);
    case 'ice-options':
      return withValue('ice-options', attribute.options.join(' '));
    case 'fingerprint':
      return withValue('fingerprint', `${attribute.algorithm} ${attribute.value}`);
    case 'setup':
      return withValue('setup', attribute.role);
    case 'sctp-port':
      return withValue('sctp-port', String(attribute.port));
    case 'max-message-size':
      return withValue('max-message-size', String(attribute.size));
    case 'msid': {
      const track = attribute.trackId === undefined ? '' : ` ${attribute.trackId}`;
      return withValue('msid', `${attribute.streamId}${track}`);
    }
    case 'msid-semantic': {
      const ids = attribute.identifiers.length > 0 ? ` ${attribute.identifiers.join(' ')}` : '';
      return withValue('msid-semantic', `${attribute.semantic}${ids}`);
    }
    case 'rtpmap': {
      const channels = attribute.channels === undefined ? '' : `/${attribute.channels}`;
      return withValue(
        'rtpmap',
        `${attribute.payloadType} ${attribute.encodingName}/${attribute.clockRate}${channels}`,
      );
    }
    case 'fmtp': {
      const parameters = formatParameters(attribute.parameters);
      return withValue(
        'fmtp',
        parameters === '' ? `${attribute.payloadType}` : `${attribute.payloadType} ${parameters}`,
      );
    }
    case 'rtcp-fb': {
      const parameter = attribute.parameter === undefined ? '' : ` ${attribute.parameter}`;
      return withValue('rtcp-fb', `${attribute.payloadType} ${attribute.type}${parameter}`);
    }
    case 'extmap': {
      const direction = attribute.direction === undefined ? '' : `/${attribute.direction}`;
      const extra = attribute.attributes === undefined ? '' : ` ${attribute.attributes}`;
      return withValue('extmap', `${attribute.id}${direction} ${attribute.uri}${extra}`);
    }
    case 'ssrc': {
      const value = attribute.value === undefined ? '' : `:${attribute.value}`;
      return withValue('ssrc', `${attribute.ssrc} ${attribute.attribute}${value}`);
    }
    case 'ssrc-group':
      return withValue('ssrc-group', `${attribute.semantics} ${attribute.ssrcs.join(' ')}`);
    case 'rid': {
      const params = attribute.params.length > 0 ? ` ${formatParameters(attribute.params)}` : '';
      return withValue('rid', `${attribute.id} ${attribute.direction}${params}`);
    }
    case 'simulcast': {
      const parts: string[] = [];
      if (attribute.send.length > 0) parts.push(`send ${formatSimulcastStreams(attribute.send)}`);
      if (attribute.recv.length > 0) parts.push(`recv ${formatSimulcastStreams(attribute.recv)}`);
      return withValue('simulcast', parts.join(' '));
    }
    case 'rtcp': {
      const c = attribute.connection;
      const address = c === undefined ? '' : ` ${c.netType} ${c.addrType} ${c.address}`;
      return withValue('rtcp', `${attribute.port}${address}`);
    }
    case 'candidate':
      // The W3C form carries the "candidate:" prefix; accept it bare too.
      return attribute.candidate.startsWith('candidate:')
        ? `a=${attribute.candidate}`
        : `a=candidate:${attribute.candidate}`;
    case 'direction':
      return `a=${attribute.direction}`;
    case 'unknown':
      return attribute.value === undefined
        ? `a=${attribute.name}`
        : withValue(attribute.name, attribute.value);
    case 'unknown-line':
      return `${attribute.type}=${attribute.value}`;
    default:
      // The flags: the kind is the attribute name.
      return `a=${attribute.kind}`;
  }
}
