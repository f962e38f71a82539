#!/usr/bin/env node
// The demo server (a browser talking to a tsrtc peer over a data channel) arrives with the
// RTCPeerConnection layer; until then `npm start` says so.
console.log('tsrtc: demo not built yet (it arrives with RTCPeerConnection and RTCDataChannel).');
