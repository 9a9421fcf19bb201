from typing import Any, Dict, List

class Settings:
    enabled: bool
    config_file: str
    components: str
    auto_output: bool
    cout_output: bool
    file_output: bool
    text_output: bool
    json_output: bool
    tree_output: bool
    flamegraph_output: bool
    folded_output: bool
    json_indent: int
    output_path: str
    run_folders: bool
    output_prefix: str
    time_output: bool
    include: str
    exclude: str
    throttle_count: int
    throttle_value: int
    throttle_sample: int
    compensate: bool
    flat_profile: bool
    timeline_profile: bool
    max_depth: int
    max_label_width: int
    precision: int
    width: int
    scientific: bool
    timing_units: str
    memory_units: str
    collapse_threads: bool
    collapse_processes: bool
    rank_reports: bool
    max_report_nodes: int
    verbose: int
    debug: bool
    banner: bool
    wall_clock_source: str
    mpip: bool
    enable_signal_handler: bool
    papi_events: str
    papi_multiplexing: bool
    papi_fail_on_error: bool
    papi_quiet: bool
    cupti_activity_kinds: str
    cupti_device: int
    cupti_buffer_size: int
    ompt: bool
    ompt_sync_wait: bool
    @staticmethod
    def parse() -> None: ...
    @staticmethod
    def names() -> List[str]: ...
    @staticmethod
    def describe() -> List[Dict[str, Any]]: ...

settings: Settings
