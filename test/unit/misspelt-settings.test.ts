import test from 'ava';
import { CONFIG_VARIABLES } from '../../src/config.ts';
import { meantSetting, misspeltSettings } from '../../src/config/misspelt.ts';
import { variablesOf } from '../../src/config/variable.ts';

const settings = variablesOf(CONFIG_VARIABLES).map((v) => v.name);

test('a typo, another case, a missing or swapped letter is recognised as the setting it meant', (t) => {
  t.is(meantSetting('PORTT', settings), 'PORT');
  t.is(meantSetting('port', settings), 'PORT');
  t.is(meantSetting('DATABSE_URL', settings), 'DATABASE_URL');
  t.is(meantSetting('DBASE_URI', settings), undefined, 'three edits away is not a guess');
  t.is(meantSetting('OPENAI_APIKEY', settings), 'OPENAI_API_KEY');
  t.is(meantSetting('slack_bot_token', settings), 'SLACK_BOT_TOKEN');
  t.is(meantSetting('LOG_LEVLE', settings), 'LOG_LEVEL');
  t.is(meantSetting('API_KEY', settings), 'API_KEYS');
});

test('our own settings and other programs\' variables are not warned about', (t) => {
  for (const name of [...settings, 'HOME', 'PATH', 'PWD', 'USER', 'TZ', 'LANG', 'NODE_OPTIONS', 'POSTGRES_PASSWORD', 'COMPOSE_PROJECT_NAME', 'HOSTNAME', 'CI', 'DEBUG', '']) {
    t.is(meantSetting(name, settings), undefined, name);
  }
});

test('each warning names the line, says it is ignored and what was meant', (t) => {
  t.deepEqual(misspeltSettings(['PORT', 'PORTT', 'HOME', 'log_level'], settings, '.env'), [
    '.env: PORTT is not a setting and is ignored; did you mean PORT?',
    '.env: log_level is not a setting and is ignored; did you mean LOG_LEVEL?',
  ]);
});
