/** RTCStatsReport (W3C webrtc-pc 8.3): a read-only map from stats object id to stats object. */

export type RTCStatsType =
  | 'codec'
  | 'inbound-rtp'
  | 'outbound-rtp'
  | 'remote-inbound-rtp'
  | 'remote-outbound-rtp'
  | 'media-source'
  | 'media-playout'
  | 'peer-connection'
  | 'data-channel'
  | 'transport'
  | 'candidate-pair'
  | 'local-candidate'
  | 'remote-candidate'
  | 'certificate';

export interface RTCStats {
  /** DOMHighResTimeStamp relative to the epoch (performance.timeOrigin + performance.now()). */
  timestamp: number;
  type: RTCStatsType;
  id: string;
  [member: string]: unknown;
}

let building = false;

export class RTCStatsReport extends Map<string, RTCStats> {
  constructor() {
    if (!building) throw new TypeError('Illegal constructor');
    // Entries are added with Map's own set: this class's set() refuses them.
    super();
  }

  /** @internal */
  static from(stats: Iterable<RTCStats>): RTCStatsReport {
    building = true;
    try {
      const report = new RTCStatsReport();
      for (const s of stats) Map.prototype.set.call(report, s.id, Object.freeze(s));
      return report;
    } finally {
      building = false;
    }
  }

  // A maplike is read-only to its users.
  override set(_key: string, _value: RTCStats): this {
    throw new TypeError('RTCStatsReport is read-only');
  }
  override delete(_key: string): boolean {
    throw new TypeError('RTCStatsReport is read-only');
  }
  override clear(): void {
    throw new TypeError('RTCStatsReport is read-only');
  }

  override get [Symbol.toStringTag](): string {
    return 'RTCStatsReport';
  }
}
