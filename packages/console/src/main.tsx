/** Entry of the console bundle, served by the server at /console. */
import { render } from 'preact';
import { App } from './app.tsx';
import { restoreSession } from './stores/session.ts';

const root = document.getElementById('app')!;
restoreSession().finally(() => render(<App />, root));
