/**
 * Channel priority: the W3C names (webrtc-priority) and the DCEP wire values of RFC 8832 5.1,
 * mapped as browsers do (very-low 128, low 256, medium 512, high 1024).
 */
export type DataChannelPriority = 'very-low' | 'low' | 'medium' | 'high';

export const DEFAULT_PRIORITY: DataChannelPriority = 'low';

export function priorityToWire(p: DataChannelPriority): number {
  switch (p) {
    case 'very-low':
      return 128;
    case 'low':
      return 256;
    case 'medium':
      return 512;
    case 'high':
      return 1024;
  }
}

/** Any 16-bit value maps to the nearest name at or above it, so unknown values still order. */
export function priorityFromWire(v: number): DataChannelPriority {
  if (v <= 128) return 'very-low';
  if (v <= 256) return 'low';
  if (v <= 512) return 'medium';
  return 'high';
}

export function isDataChannelPriority(p: unknown): p is DataChannelPriority {
  return p === 'very-low' || p === 'low' || p === 'medium' || p === 'high';
}
