"""Quality assurance: health assessments scored with a designated professional's QA tool, one
timetable of provider visits across agencies, and the shared concerns register."""
