import express from 'express';
import { configureViews } from '../../../server/platform/http/views';

describe('views', () => {
  it('when the app runs in development or test, then templates are still compiled once per process, not per response', () => {
    const app = express();
    expect(app.get('env')).not.toBe('production');
    configureViews(app);
    expect(app.enabled('view cache')).toBe(true);
  });
});
