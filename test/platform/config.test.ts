import { ConfigError, loadConfig } from '../../server/config';

const PRODUCTION = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), PUBLIC_URL: 'https://accountable.example.org', ACCOUNTABLE_SECRET_KEY: 'k'.repeat(32) };

describe('config', () => {
  it('when nothing is set, then it runs on embedded SQLite at port 3000', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ client: 'sqlite', filename: 'var/accountable.sqlite' });
    expect(config.port).toBe(3000);
    expect(config.cookieSecure).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when DATABASE_URL is a mysql:// URL, then MySQL is used', () => {
    expect(loadConfig({ DATABASE_URL: 'mysql://u:p@db:3306/accountable' }).database).toEqual({ client: 'mysql', url: 'mysql://u:p@db:3306/accountable' });
  });

  it('when PROCESS_ROLE is not set, then the process is both web and worker; web and worker are accepted', () => {
    expect(loadConfig({}).processRole).toBe('all');
    expect(loadConfig({ PROCESS_ROLE: 'web' }).processRole).toBe('web');
    expect(loadConfig({ PROCESS_ROLE: 'worker' }).processRole).toBe('worker');
  });

  it('when PROCESS_ROLE is not one of web, worker and all, then start-up fails naming the variable', () => {
    expect(() => loadConfig({ PROCESS_ROLE: 'jobs' })).toThrow(/PROCESS_ROLE/);
    expect(() => loadConfig({ PROCESS_ROLE: 'Web' })).toThrow(ConfigError);
  });

  it('when PORT is not a port number, then start-up fails naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('when production has no session secret, then start-up fails', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET/);
  });

  it('when production sets a secret, then cookies are secure by default', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.cookieSecure).toBe(true);
  });

  it('when production has no secret key, then start-up fails naming ACCOUNTABLE_SECRET_KEY and how to make one', () => {
    const { ACCOUNTABLE_SECRET_KEY: _omitted, ...withoutKey } = PRODUCTION;
    expect(() => loadConfig(withoutKey)).toThrow(/ACCOUNTABLE_SECRET_KEY: required when NODE_ENV=production \(at least 32 bytes/);
    expect(loadConfig(PRODUCTION).secretKey).toBe(PRODUCTION.ACCOUNTABLE_SECRET_KEY);
  });

  it('when the secret key is shorter than 32 bytes or is the session secret, then start-up fails', () => {
    expect(() => loadConfig({ ...PRODUCTION, ACCOUNTABLE_SECRET_KEY: 'k'.repeat(31) })).toThrow(/ACCOUNTABLE_SECRET_KEY must be at least 32 bytes/);
    // 16 characters of two bytes each are 32 bytes.
    expect(loadConfig({ ...PRODUCTION, ACCOUNTABLE_SECRET_KEY: 'é'.repeat(16) }).secretKey).toBe('é'.repeat(16));
    expect(() => loadConfig({ ...PRODUCTION, ACCOUNTABLE_SECRET_KEY: PRODUCTION.SESSION_SECRET })).toThrow(/must differ from SESSION_SECRET/);
  });

  it('when nothing is set outside production, then there is no secret key (keys stay in the database) and exports are kept 7 days', () => {
    expect(loadConfig({}).secretKey).toBeUndefined();
    expect(loadConfig({}).exportRetentionDays).toBe(7);
    expect(loadConfig({ EXPORT_RETENTION_DAYS: '30' }).exportRetentionDays).toBe(30);
    expect(() => loadConfig({ EXPORT_RETENTION_DAYS: '0' })).toThrow(/EXPORT_RETENTION_DAYS/);
  });

  it('when production has no public URL, then start-up fails naming PUBLIC_URL', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) })).toThrow(/PUBLIC_URL/);
  });

  it('when TRUST_PROXY is set, then it is read as a flag, a hop count or a list of addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
  });

  it('when a database URL has an unknown scheme, then start-up fails naming DATABASE_URL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x' })).toThrow(/DATABASE_URL/);
  });
});
