import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { test } from 'node:test';
import {
  IFA_F_DEPRECATED,
  IFA_F_TEMPORARY,
  type NetworkInterfaceMap,
  parseIfInet6,
  selectLocalAddresses,
} from '../../src/net/interfaces.js';

function v4(address: string, internal = false): NetworkInterfaceInfo {
  return {
    address,
    netmask: '255.255.255.0',
    family: 'IPv4',
    mac: '02:00:00:00:00:01',
    internal,
    cidr: `${address}/24`,
  };
}

function v6(address: string, scopeid = 0, internal = false): NetworkInterfaceInfo {
  return {
    address,
    netmask: 'ffff:ffff:ffff:ffff::',
    family: 'IPv6',
    mac: '02:00:00:00:00:01',
    internal,
    cidr: `${address}/64`,
    scopeid,
  };
}

const loopback = [v4('127.0.0.1', true), v6('::1', 0, true)];

const typicalHost: NetworkInterfaceMap = {
  lo: loopback,
  eth0: [
    v4('192.168.1.10'),
    v4('192.168.1.11'),
    v6('fe80::1', 2),
    v6('fd00::10'),
    v6('2001:db8::10'),
  ],
  wlan0: [v4('10.0.0.5'), v6('fe80::2', 3)],
};

const pick = (list: { interface: string; address: string }[]) =>
  list.map((l) => `${l.interface} ${l.address}`).sort();

test('one address per interface and family; loopback and link-local left out', () => {
  const chosen = selectLocalAddresses(typicalHost);
  assert.deepEqual(pick(chosen), [
    'eth0 192.168.1.10',
    'eth0 2001:db8::10', // global preferred over unique-local fd00::
    'wlan0 10.0.0.5',
  ]);
  assert.ok(chosen.every((c) => c.scopeId === undefined));
  assert.deepEqual(chosen.map((c) => c.family).sort(), ['IPv4', 'IPv4', 'IPv6']);
});

test('unique-local IPv6 is used when it is the only routable one', () => {
  const chosen = selectLocalAddresses({ lo: loopback, v0: [v4('10.77.0.1'), v6('fd77::1')] });
  assert.deepEqual(pick(chosen), ['v0 10.77.0.1', 'v0 fd77::1']);
});

test('link-local addresses are kept (with their scope) when nothing else exists', () => {
  const chosen = selectLocalAddresses({
    lo: loopback,
    eth0: [v6('fe80::1', 2), v4('169.254.3.4')],
  });
  assert.deepEqual(pick(chosen), ['eth0 169.254.3.4', 'eth0 fe80::1']);
  assert.equal(chosen.find((c) => c.family === 'IPv6')?.scopeId, 2);
});

test('loopback is the last resort, and used when configured', () => {
  assert.deepEqual(pick(selectLocalAddresses({ lo: loopback })), ['lo 127.0.0.1', 'lo ::1']);
  assert.deepEqual(pick(selectLocalAddresses(typicalHost, { loopback: true, ipv6: false })), [
    'eth0 192.168.1.10',
    'lo 127.0.0.1',
    'wlan0 10.0.0.5',
  ]);
  assert.deepEqual(pick(selectLocalAddresses({})), []);
});

test('link-local is added to the others when configured', () => {
  const chosen = selectLocalAddresses(
    { eth0: [v6('fe80::1', 2)], eth1: [v4('192.0.2.1')] },
    { linkLocal: true },
  );
  assert.deepEqual(pick(chosen), ['eth0 fe80::1', 'eth1 192.0.2.1']);
});

test('interface filters restrict and exclude by name', () => {
  assert.deepEqual(pick(selectLocalAddresses(typicalHost, { interfaces: ['wlan0'] })), [
    'wlan0 10.0.0.5',
  ]);
  assert.deepEqual(pick(selectLocalAddresses(typicalHost, { excludeInterfaces: ['eth0'] })), [
    'wlan0 10.0.0.5',
  ]);
  // Only wlan0's link-local IPv6 is left for IPv6 when IPv4 is off: used as the last resort.
  assert.deepEqual(
    pick(selectLocalAddresses(typicalHost, { interfaces: ['wlan0'], ipv4: false })),
    ['wlan0 fe80::2'],
  );
});

test('family switches', () => {
  assert.deepEqual(pick(selectLocalAddresses(typicalHost, { ipv6: false })), [
    'eth0 192.168.1.10',
    'wlan0 10.0.0.5',
  ]);
  assert.deepEqual(pick(selectLocalAddresses(typicalHost, { ipv4: false })), ['eth0 2001:db8::10']);
});

test('explicit addresses are taken as given, even loopback and several per interface', () => {
  const chosen = selectLocalAddresses(typicalHost, {
    addresses: ['192.168.1.11', '192.168.1.10', '127.0.0.1', 'FE80::1', '203.0.113.9'],
  });
  // Not on this host: 203.0.113.9 is ignored. Case and zone do not matter.
  assert.deepEqual(pick(chosen), [
    'eth0 192.168.1.10',
    'eth0 192.168.1.11',
    'eth0 fe80::1',
    'lo 127.0.0.1',
  ]);
  assert.equal(chosen.find((c) => c.address === 'fe80::1')?.scopeId, 2);
  assert.deepEqual(
    pick(selectLocalAddresses(typicalHost, { addresses: ['10.0.0.5'], interfaces: ['eth0'] })),
    [],
  );
});

test('temporary, deprecated and odd IPv6 addresses are skipped', () => {
  const ifaces: NetworkInterfaceMap = {
    eth0: [
      v6('2001:db8::aaaa'),
      v6('2001:db8::bbbb'),
      v6('2001:db8::cccc'),
      v6('::ffff:192.0.2.1'),
      v6('fec0::1'),
    ],
  };
  const flags = new Map([
    ['2001:db8::aaaa', IFA_F_TEMPORARY],
    ['2001:db8::bbbb', IFA_F_DEPRECATED],
    ['2001:db8::cccc', 0x80], // IFA_F_PERMANENT
  ]);
  assert.deepEqual(pick(selectLocalAddresses(ifaces, { ipv6Flags: flags })), [
    'eth0 2001:db8::cccc',
  ]);
  // With every global address unusable, nothing is chosen (odd ones are never a fallback).
  flags.set('2001:db8::cccc', IFA_F_DEPRECATED);
  assert.deepEqual(pick(selectLocalAddresses(ifaces, { ipv6Flags: flags })), []);
});

test('the numeric family of early Node 18 is understood', () => {
  const info = { ...v4('192.0.2.7'), family: 4 } as unknown as NetworkInterfaceInfo;
  assert.deepEqual(pick(selectLocalAddresses({ eth0: [info] })), ['eth0 192.0.2.7']);
});

test('/proc/net/if_inet6 parsing', () => {
  const text = [
    '00000000000000000000000000000001 01 80 10 80       lo',
    'fe800000000000000000000000000001 02 40 20 80     eth0',
    '20010db8000000000000000000001234 02 40 00 01     eth0',
    'fd770000000000000000000000000002 05 40 00 a0       v1',
    'garbage line',
    '',
  ].join('\n');
  const flags = parseIfInet6(text);
  assert.equal(flags.get('::1'), 0x80);
  assert.equal(flags.get('fe80::1'), 0x80);
  assert.equal(flags.get('2001:db8::1234'), IFA_F_TEMPORARY);
  assert.equal(flags.get('fd77::2'), 0xa0);
  assert.equal(flags.size, 4);
});
