/**
 * tsrtc: WebRTC for Node.js. The W3C globals are exported from here as their layers land;
 * the protocol layers are available as subpath exports (tsrtc/stun, tsrtc/ice, tsrtc/net).
 */

export * as ice from './ice/index.js';
export * as stun from './stun/index.js';
