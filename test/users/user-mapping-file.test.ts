import { parseUserMapping } from '../../src/users/user-mapping-file';

describe('USER_MAPPING_FILE', () => {
  it('reads a JSON object of external → Genesys', () => {
    const m = parseUserMapping('{"zoom:abc":"Jane@Corp.example","J.Doe@zoom.example":"0a1b-2c"}', 'f');
    expect(m.byKey.get('zoom:abc')).toEqual({ kind: 'email', email: 'jane@corp.example' });
    expect(m.byEmail.get('j.doe@zoom.example')).toEqual({ kind: 'id', id: '0a1b-2c' });
  });

  it('reads a JSON array', () => {
    const m = parseUserMapping('[{"external":"teams:oid-1","genesys":"g-1"}]', 'f');
    expect(m.byKey.get('teams:oid-1')).toEqual({ kind: 'id', id: 'g-1' });
  });

  it('reads CSV with a header, quotes and comments', () => {
    const csv = 'genesys,external\n"jane@corp.example",ringcentral:101\n# note\n\ng-2,"bob@zoom.example"\n';
    const m = parseUserMapping(csv, 'f');
    expect(m.byKey.get('ringcentral:101')).toEqual({ kind: 'email', email: 'jane@corp.example' });
    expect(m.byEmail.get('bob@zoom.example')).toEqual({ kind: 'id', id: 'g-2' });
  });

  it.each([
    ['{"slack:1":"x"}', 'must be an email or system:externalUserId'],
    ['{"zoom:1":""}', 'Genesys user is empty'],
    ['{"zoom:1":5}', 'value must be a Genesys user id or email'],
    ['[{"external":"zoom:1"}]', 'needs string "external" and "genesys"'],
    ['a,b\n1,2', 'CSV header must name'],
    ['external,genesys\nzoom:,g', 'line 2'],
    ['{bad json', 'not valid JSON'],
  ])('rejects %s with a message that points at it', (text, expected) => {
    expect(() => parseUserMapping(text, 'f')).toThrow(expected);
  });
});

describe('Zoom ids in USER_MAPPING_FILE', () => {
  it('are kept exactly as written, because Zoom user ids are case-sensitive', () => {
    const m = parseUserMapping('{"zoom:KDcuGIm1QgePTO8WbOqwIQ":"jane@corp.example"}', 'f');
    expect(m.byKey.get('zoom:KDcuGIm1QgePTO8WbOqwIQ')).toEqual({ kind: 'email', email: 'jane@corp.example' });
    expect(m.byKey.get('zoom:kdcugim1qgepto8wboqwiq')).toBeUndefined();
    expect([...m.byKey.keys()]).toEqual(['zoom:KDcuGIm1QgePTO8WbOqwIQ']);
  });

  it('let two ids that differ only in case name two different users', () => {
    const m = parseUserMapping('external,genesys\nzoom:AbC1,a@corp.example\nzoom:abc1,b@corp.example\n', 'f');
    expect(m.byKey.get('zoom:AbC1')).toEqual({ kind: 'email', email: 'a@corp.example' });
    expect(m.byKey.get('zoom:abc1')).toEqual({ kind: 'email', email: 'b@corp.example' });
  });
});
