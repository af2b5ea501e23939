import './ui/selftest-panel';
