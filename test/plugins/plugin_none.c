int plugin_none_marker = 1;
