/**
 * The I/O layer: the only code that opens sockets, sets timers and does DNS/mDNS. It drives
 * a sans-IO core (the ICE agent alone, or a connection's composite core) over real UDP.
 */
export { sweepArrayBuffersInPause } from './array-buffer-sweeping.js';
export {
  type CoreCall,
  CoreDriver,
  type CoreDriverOptions,
  type CoreDriverStats,
  type DrivableCore,
  type MdnsQueryEvent,
  type MdnsRegisterEvent,
  type StunServerErrorEvent,
} from './core-driver.js';
export {
  IceDriver,
  type IceDriverOptions,
  type IceDriverStats,
} from './ice-driver.js';
export {
  IFA_F_DEPRECATED,
  IFA_F_TEMPORARY,
  IFA_F_TENTATIVE,
  isIpv6LinkLocal,
  type LocalAddress,
  type LocalAddressOptions,
  type NetworkInterfaceMap,
  normaliseAddress,
  parseIfInet6,
  readIpv6AddressFlags,
  selectLocalAddresses,
} from './interfaces.js';
export { type MdnsOptions, type MdnsResolveOptions, MdnsService } from './mdns.js';
export {
  DEFAULT_STUN_PORT,
  parseStunServer,
  resolveStunServer,
  type StunServerSpec,
} from './stun-server.js';
export {
  type BindUdpOptions,
  bindUdpSocket,
  type PortRange,
  PortRangeExhaustedError,
  validatePortRange,
} from './udp.js';
export { type DatagramHandler, UdpEndpoint, type UdpEndpointStats } from './udp-endpoint.js';
