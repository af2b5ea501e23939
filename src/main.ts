import './ui/app';
