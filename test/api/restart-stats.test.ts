import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RTCStatsReport } from '../../src/api/stats-report.js';
import { collect, negotiate, until, waitFor, withConnectedPair } from './peers.js';

describe('restartIce', () => {
  test('fires negotiationneeded; the new offer has new credentials and the connection carries on', () =>
    withConnectedPair(async (p) => {
      const oldUfrag = p.a.localDescription!.sdp.match(/a=ice-ufrag:(\S+)/)![1];
      const oldRemoteUfrag = p.b.localDescription!.sdp.match(/a=ice-ufrag:(\S+)/)![1];
      const needed = waitFor(p.a, 'negotiationneeded');
      p.a.restartIce();
      await needed;
      const iceT = p.a.sctp!.transport.iceTransport;
      const reselected = waitFor(
        iceT,
        'selectedcandidatepairchange',
        () => iceT.getSelectedCandidatePair()?.local.usernameFragment !== oldUfrag,
      );
      const gathering: string[] = [];
      p.a.onicegatheringstatechange = () => gathering.push(p.a.iceGatheringState);
      await negotiate(p.a, p.b);
      const newUfrag = p.a.localDescription!.sdp.match(/a=ice-ufrag:(\S+)/)![1];
      const newRemoteUfrag = p.b.localDescription!.sdp.match(/a=ice-ufrag:(\S+)/)![1];
      assert.notEqual(newUfrag, oldUfrag);
      assert.notEqual(newRemoteUfrag, oldRemoteUfrag, 'the answerer restarts too');
      assert.equal(
        p.a.sctp!.transport.iceTransport.getLocalParameters()?.usernameFragment,
        newUfrag,
      );
      assert.equal(
        p.a.sctp!.transport.iceTransport.getRemoteParameters()?.usernameFragment,
        newRemoteUfrag,
      );
      // New candidates of the new generation trickle and the checks succeed again.
      await until(() => gathering.join() === 'gathering,complete');
      // The checks of the new generation select a pair of its own.
      await reselected;
      assert.equal(iceT.getSelectedCandidatePair()!.local.usernameFragment, newUfrag);
      const stats = async () =>
        (await p.a.getStats()).get('T01') as { iceLocalUsernameFragment?: string };
      await until(async () => (await stats()).iceLocalUsernameFragment === newUfrag);
      const got = collect(p.remote, 1);
      p.local.send('after restart');
      assert.deepEqual(await got, ['after restart']);
      assert.equal(p.a.connectionState, 'connected');
      const escaped = newUfrag!.replace(/[+/]/g, '\\$&');
      assert.match(p.a.localDescription!.sdp, new RegExp(`a=candidate:.* ufrag ${escaped}\r\n`));
    }));
});

describe('getStats', () => {
  test('reports the W3C stats objects with their fields and links', () =>
    withConnectedPair(async (p) => {
      p.remote.binaryType = 'arraybuffer';
      const got = collect(p.remote, 2);
      p.local.send('12345');
      p.local.send(new Uint8Array(10));
      await got;
      const report = await p.a.getStats();
      assert.ok(report instanceof RTCStatsReport);
      assert.ok(report instanceof Map);
      assert.throws(() => (report as Map<string, unknown>).set('x', {}), TypeError);
      const byType = new Map<string, Record<string, unknown>[]>();
      for (const s of report.values()) {
        assert.equal(typeof s.timestamp, 'number');
        assert.ok(Math.abs((s.timestamp as number) - Date.now()) < 60_000);
        assert.equal(report.get(s.id as string), s);
        const list = byType.get(s.type as string) ?? [];
        list.push(s);
        byType.set(s.type as string, list);
      }
      for (const type of [
        'peer-connection',
        'data-channel',
        'transport',
        'candidate-pair',
        'local-candidate',
        'remote-candidate',
        'certificate',
      ]) {
        assert.ok(byType.has(type), `no ${type} stats`);
      }
      const pcStats = byType.get('peer-connection')![0]!;
      assert.equal(pcStats.dataChannelsOpened, 1);
      assert.equal(pcStats.dataChannelsClosed, 0);
      const dc = byType.get('data-channel')![0]!;
      assert.equal(dc.label, 'chat');
      assert.equal(dc.protocol, '');
      assert.equal(dc.dataChannelIdentifier, p.local.id);
      assert.equal(dc.state, 'open');
      assert.equal(dc.messagesSent, 2);
      assert.equal(dc.bytesSent, 15);
      const t = byType.get('transport')![0]!;
      assert.equal(t.dtlsState, 'connected');
      assert.ok(t.iceState === 'connected' || t.iceState === 'completed');
      assert.equal(t.tlsVersion, 'FEFD');
      assert.equal(typeof t.dtlsCipher, 'string');
      assert.ok((t.bytesSent as number) > 0 && (t.bytesReceived as number) > 0);
      assert.ok((t.packetsSent as number) > 0 && (t.packetsReceived as number) > 0);
      assert.equal(t.dtlsRole, 'server');
      const pair = report.get(t.selectedCandidatePairId as string)!;
      assert.equal(pair.type, 'candidate-pair');
      assert.equal(pair.transportId, t.id);
      assert.equal(pair.nominated, true);
      assert.equal(pair.state, 'succeeded');
      const local = report.get(pair.localCandidateId as string)!;
      const remote = report.get(pair.remoteCandidateId as string)!;
      assert.equal(local.type, 'local-candidate');
      assert.equal(remote.type, 'remote-candidate');
      assert.equal(local.address, '127.0.0.1');
      assert.equal(local.candidateType, 'host');
      assert.equal(local.protocol, 'udp');
      assert.equal(typeof local.port, 'number');
      const localCert = report.get(t.localCertificateId as string)!;
      const remoteCert = report.get(t.remoteCertificateId as string)!;
      assert.equal(localCert.fingerprintAlgorithm, 'sha-256');
      const fp = p.a.localDescription!.sdp.match(/a=fingerprint:sha-256 (\S+)/)![1];
      assert.equal(localCert.fingerprint, fp);
      const remoteFp = p.b.localDescription!.sdp.match(/a=fingerprint:sha-256 (\S+)/)![1];
      assert.equal(remoteCert.fingerprint, remoteFp);
      assert.equal(typeof remoteCert.base64Certificate, 'string');
      const der = p.a.sctp!.transport.getRemoteCertificates()[0]!;
      assert.equal(Buffer.from(der).toString('base64'), remoteCert.base64Certificate);
      // The receiving side counts what it got.
      const rb = await p.b.getStats();
      const rdc = [...rb.values()].find((s) => s.type === 'data-channel')!;
      assert.equal(rdc.messagesReceived, 2);
      assert.equal(rdc.bytesReceived, 15);
    }));

  test('after close, the report keeps the last counters and the certificates', () =>
    withConnectedPair(async (p) => {
      const got = collect(p.remote, 1);
      p.local.send('before close');
      await got;
      const transportOf = (r: RTCStatsReport) =>
        [...r.values()].find((s) => s.type === 'transport') as Record<string, unknown>;
      const open = transportOf(await p.a.getStats());
      p.a.close();
      const report = await p.a.getStats();
      const t = transportOf(report);
      // The close itself sends (SCTP ABORT, DTLS close_notify): at least what was counted.
      assert.ok((t.packetsSent as number) >= (open.packetsSent as number));
      assert.ok((t.bytesSent as number) >= (open.bytesSent as number));
      assert.equal(t.packetsReceived, open.packetsReceived);
      assert.equal(t.bytesReceived, open.bytesReceived);
      assert.equal(t.iceLocalUsernameFragment, open.iceLocalUsernameFragment);
      const remoteCert = report.get(t.remoteCertificateId as string)!;
      const remoteFp = p.b.localDescription!.sdp.match(/a=fingerprint:sha-256 (\S+)/)![1];
      assert.equal(remoteCert.fingerprint, remoteFp);
      assert.equal(p.a.sctp!.transport.getRemoteCertificates().length, 1);
      assert.equal(p.a.sctp!.transport.iceTransport.role, 'controlling');
    }));

  test('transports expose their state, parameters, candidates and selected pair', () =>
    withConnectedPair(async (p) => {
      const sctp = p.a.sctp!;
      assert.equal(sctp.state, 'connected');
      assert.equal(sctp.maxMessageSize, 262144);
      assert.ok(sctp.maxChannels !== null && sctp.maxChannels > 0);
      const dtls = sctp.transport;
      assert.equal(dtls.state, 'connected');
      const iceT = dtls.iceTransport;
      assert.equal(iceT.component, 'rtp');
      assert.equal(iceT.role, 'controlling');
      assert.equal(p.b.sctp!.transport.iceTransport.role, 'controlled');
      assert.equal(iceT.gatheringState, 'complete');
      assert.ok(iceT.getLocalCandidates().length >= 1);
      assert.ok(iceT.getRemoteCandidates().length >= 1);
      const pair = iceT.getSelectedCandidatePair()!;
      assert.equal(pair.local.address, '127.0.0.1');
      assert.equal(pair.remote.address, '127.0.0.1');
      assert.equal(pair.local.sdpMid, '0');
      assert.equal(iceT.getLocalParameters()!.password.length >= 22, true);
      assert.throws(() => new (dtls.constructor as new () => unknown)(), TypeError);
    }));
});
