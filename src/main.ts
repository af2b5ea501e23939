import './ui/selftest-panel';
import './ui/training-preview';
