import {
  allowedNetworks,
  canonicalIp,
  embeddedIpv4,
  refusedAddress,
  sameAddress,
} from './node-address';

describe('node addresses', () => {
  const none = allowedNetworks([]);

  it('finds the IPv4 inside mapped, translated, compatible and NAT64 forms, in any spelling', () => {
    expect(embeddedIpv4('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(embeddedIpv4('::FFFF:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('0:0:0:0:0:ffff:a9fe:a9fe')).toBe('169.254.169.254');
    expect(embeddedIpv4('::ffff:0:10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedIpv4('::10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedIpv4('64:ff9b::7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('::1')).toBeNull();
    expect(embeddedIpv4('::')).toBeNull();
    expect(embeddedIpv4('2001:db8::1')).toBeNull();
    expect(embeddedIpv4('10.0.0.1')).toBeNull();
  });

  it('writes one address one way', () => {
    expect(canonicalIp('::ffff:10.0.0.5')).toBe('10.0.0.5');
    expect(canonicalIp('::ffff:a00:5')).toBe('10.0.0.5');
    expect(canonicalIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIp('10.0.0.5')).toBe('10.0.0.5');
    expect(sameAddress('::ffff:10.0.0.5', '10.0.0.5')).toBe(true);
    expect(sameAddress('10.0.0.5', '10.0.0.6')).toBe(false);
  });

  it('refuses the special ranges and allows ordinary addresses', () => {
    for (const ip of ['127.0.0.1', '0.0.0.0', '::', '::1', '169.254.1.1', 'fe80::1', 'ff02::1'])
      expect(refusedAddress(ip, none)).not.toBeNull();
    for (const ip of ['224.0.0.251', '255.255.255.255', '::ffff:127.0.0.1', 'fe80::1%eth0'])
      expect(refusedAddress(ip, none)).not.toBeNull();
    for (const ip of ['10.0.0.1', '192.168.1.20', '8.8.8.8', '2001:db8::1', 'fd00::1'])
      expect(refusedAddress(ip, none)).toBeNull();
  });

  it('allows refused addresses inside LLMLB_NODE_ALLOWED_NETWORKS, and only those', () => {
    const lab = allowedNetworks(['127.0.0.0/8', 'fe80::/10']);
    expect(refusedAddress('127.0.0.1', lab)).toBeNull();
    expect(refusedAddress('::ffff:127.0.0.1', lab)).toBeNull();
    expect(refusedAddress('fe80::1', lab)).toBeNull();
    expect(refusedAddress('::1', lab)).not.toBeNull();
    expect(refusedAddress('169.254.169.254', lab)).not.toBeNull();
    // a zone id is never accepted: the address alone does not say which interface
    expect(refusedAddress('fe80::1%eth0', lab)).not.toBeNull();
  });
});
